//! Tells the integration suite whether its PostgreSQL half can run. With
//! `TRAPEZE_TEST_POSTGRES_URL` set when the tests are built, the cfg `trapeze_postgres_tests` is
//! on; without it, every PostgreSQL test is marked ignored, so `cargo test` counts it as ignored
//! rather than as a pass on a store that never ran.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(trapeze_postgres_tests)");
    println!("cargo::rerun-if-env-changed=TRAPEZE_TEST_POSTGRES_URL");
    println!("cargo::rerun-if-changed=build.rs");
    if std::env::var_os("TRAPEZE_TEST_POSTGRES_URL").is_some_and(|url| !url.is_empty()) {
        println!("cargo::rustc-cfg=trapeze_postgres_tests");
    }
}
