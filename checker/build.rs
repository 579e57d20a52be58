//! Hands the target and host triples to the checker, which drives `cc`
//! outside a build script (cc needs them there; see c_build.rs).
fn main() {
    for var in ["TARGET", "HOST"] {
        let value = std::env::var(var).expect("cargo sets TARGET and HOST for build scripts");
        println!("cargo:rustc-env=CHECKER_{var}={value}");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
