//! `cargo xtask serve | test | bench`: build, serve, test and benchmark the project.

fn main() {
    eprintln!("usage: cargo xtask <serve|test|bench>");
    std::process::exit(2);
}
