//! The feature `full`'s token: held by the values only that feature's bindings can create (an
//! uploaded table in the session's data, the map's slice through it). Without `full` (the
//! page's core build, `pkg-core/`) the token is uninhabited, so no such value can exist, and
//! the compiler drops every path that handles one: the table's encoding, PCA and slice code
//! stay out of the core build although the session's `match`es still name them.

/// `()` with the feature `full`; uninhabited without it.
#[cfg(feature = "full")]
pub type FullOnly = ();
/// `()` with the feature `full`; uninhabited without it.
#[cfg(not(feature = "full"))]
pub type FullOnly = std::convert::Infallible;

/// The token; without the feature `full`, a `NotCompiled` error that names `what`.
pub fn full_only(what: &str) -> crate::Result<FullOnly> {
    #[cfg(feature = "full")]
    {
        let _ = what;
        Ok(())
    }
    #[cfg(not(feature = "full"))]
    {
        Err(crate::Error::NotCompiled(format!(
            "{what} needs the engine's full build (`pkg/`)"
        )))
    }
}
