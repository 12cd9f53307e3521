//! Validation rules shared by several resources.

use std::borrow::Cow;

use validator::ValidationError;

pub use super::limits::SLUG_MAX;

/// A slug: lowercase letters, digits and single hyphens between them, at most 64 characters.
pub fn slug(value: &str) -> Result<(), ValidationError> {
    let well_formed = !value.is_empty()
        && value.len() as u64 <= SLUG_MAX
        && !value.starts_with('-')
        && !value.ends_with('-')
        && !value.contains("--")
        && value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if well_formed {
        Ok(())
    } else {
        Err(ValidationError::new("slug").with_message(Cow::Borrowed(
            "must be 1 to 64 lowercase letters, digits and single hyphens, e.g. `bescherming-activa`",
        )))
    }
}

/// Text that is not only whitespace (empty text is left to the length rule).
pub fn not_blank(value: &str) -> Result<(), ValidationError> {
    if !value.is_empty() && value.trim().is_empty() {
        Err(ValidationError::new("blank").with_message(Cow::Borrowed("must not be blank")))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_lowercase_words_joined_by_single_hyphens() {
        for good in ["organisatiecultuur", "bescherming-activa", "a", "dienst-2"] {
            assert!(slug(good).is_ok(), "{good}");
        }
        let too_long = "a".repeat(65);
        for bad in [
            "", "-a", "a-", "a--b", "Activa", "activa ", "één", &too_long,
        ] {
            assert!(slug(bad).is_err(), "{bad}");
        }
    }
}
