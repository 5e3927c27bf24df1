// `sqlx::migrate!` embeds the migrations when the crate compiles; without this, adding a
// migration file does not make cargo compile the crate again, and the new migration is missing
// from the binary.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
