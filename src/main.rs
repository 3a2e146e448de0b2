//! The `trapeze` binary: everything happens in the library.

fn main() -> std::process::ExitCode {
    trapeze::cli::main()
}
