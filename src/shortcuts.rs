//! The hidden switch behind the audit's exact shortcuts (issue 13): work skipped because no
//! report can depend on it, such as cutting a customer turn no lexicon candidate needs cut, or
//! normalizing all-ASCII text through the general path. `ZHIJIAN_NO_SHORTCUTS=1` in the
//! environment turns every shortcut off, so that a test (`tests/shortcuts.rs`) can show the
//! reports are byte for byte the same with and without them. Read once per process.
//! Documented in `docs/speed.md`; not a user option.

use std::sync::LazyLock;

/// The environment variable that turns the shortcuts off when set to anything but `0` or empty.
pub const OFF_VAR: &str = "ZHIJIAN_NO_SHORTCUTS";

static ENABLED: LazyLock<bool> =
    LazyLock::new(|| std::env::var_os(OFF_VAR).is_none_or(|v| v.is_empty() || v == "0"));

/// Whether the shortcuts are on (the default).
pub fn enabled() -> bool {
    *ENABLED
}
