//! The `trapeze` binary: everything happens in the library.

/// mimalloc instead of the system allocator: a response is built from many small allocations
/// (values, names, rows), and glibc's malloc and free took about a third of the server's CPU
/// samples on a four-level read (bench/ e).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    trapeze::cli::main()
}
