//! Validation rules shared by several resources.

use std::borrow::Cow;

use validator::ValidationError;

use super::limits::{CRITERION_MAX, NAME_MAX, SLUG_MAX, TITLE_MAX, TOKEN_NAME_MAX};

/// [`slug`] as a regular expression, for the contract.
pub const SLUG_PATTERN: &str = "^[a-z0-9]+(-[a-z0-9]+)*$";

/// A Leidraad theme's code (`CUL`, `ICT`), as the database checks it.
pub const THEME_CODE_PATTERN: &str = "^[A-Z]{2,4}$";

/// A slug: lowercase letters, digits and single hyphens between them, at most `SLUG_MAX`
/// characters.
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
        Err(ValidationError::new("slug").with_message(Cow::Owned(format!(
            "must be 1 to {SLUG_MAX} lowercase letters, digits and single hyphens, e.g. `bescherming-activa`"
        ))))
    }
}

/// An absolute `http` or `https` address with a host: the only links a document may show
/// (no `javascript:`, `data:` or relative paths).
pub fn web_url(value: &str) -> Result<(), ValidationError> {
    let web = url::Url::parse(value)
        .is_ok_and(|url| matches!(url.scheme(), "http" | "https") && url.host().is_some());
    if web {
        Ok(())
    } else {
        Err(ValidationError::new("web_url").with_message(Cow::Borrowed(
            "must be an absolute http or https address, e.g. `https://besluiten.mechelen.be/...`",
        )))
    }
}

/// A date in the years a report can be about, or the year after (when the last is adopted).
pub fn plausible_date(value: &chrono::NaiveDate) -> Result<(), ValidationError> {
    use chrono::Datelike;
    if (super::limits::YEAR_MIN..=super::limits::YEAR_MAX + 1).contains(&value.year()) {
        Ok(())
    } else {
        Err(
            ValidationError::new("date").with_message(Cow::Owned(format!(
                "must lie in the years {} to {}",
                super::limits::YEAR_MIN,
                super::limits::YEAR_MAX + 1
            ))),
        )
    }
}

/// One line of text: no control characters (line breaks and tabs included) and no
/// bidirectional overrides, which would make a title read otherwise than it is stored.
pub fn single_line(value: &str) -> Result<(), ValidationError> {
    let hidden =
        |c: char| c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
    if value.chars().any(hidden) {
        Err(
            ValidationError::new("single_line").with_message(Cow::Borrowed(
                "must be one line, without control characters or direction overrides",
            )),
        )
    } else {
        Ok(())
    }
}

/// A name that identifies someone (a token's name is the actor of the audit trail): one line,
/// without spaces around it.
pub fn identifier_name(value: &str) -> Result<(), ValidationError> {
    single_line(value)?;
    if value.trim() != value {
        return Err(ValidationError::new("trimmed")
            .with_message(Cow::Borrowed("must not start or end with spaces")));
    }
    Ok(())
}

/// A title (of an action, a risk, a report): one line of 1 to `TITLE_MAX` characters, not
/// blank.
pub fn title(value: &str) -> Result<(), ValidationError> {
    one_line(value, TITLE_MAX)
}

/// A name (of a domain, a department): one line of 1 to `NAME_MAX` characters, not blank.
pub fn name(value: &str) -> Result<(), ValidationError> {
    one_line(value, NAME_MAX)
}

/// A token's name, the actor of the audit trail: one line of 1 to `TOKEN_NAME_MAX`
/// characters, not blank, without spaces around it.
pub fn token_name(value: &str) -> Result<(), ValidationError> {
    characters(value, 1, TOKEN_NAME_MAX)?;
    not_blank(value)?;
    identifier_name(value)
}

/// A criterion's text: 1 to `CRITERION_MAX` characters (line breaks allowed), not blank.
pub fn criterion_text(value: &str) -> Result<(), ValidationError> {
    characters(value, 1, CRITERION_MAX)?;
    not_blank(value)
}

fn one_line(value: &str, max: u64) -> Result<(), ValidationError> {
    characters(value, 1, max)?;
    not_blank(value)?;
    single_line(value)
}

/// `min` to `max` characters, refused as validator's `length` rule refuses it (same code and
/// limits, so the same message).
fn characters(value: &str, min: u64, max: u64) -> Result<(), ValidationError> {
    let count = value.chars().count() as u64;
    if (min..=max).contains(&count) {
        return Ok(());
    }
    let mut error = ValidationError::new("length");
    error.add_param(Cow::Borrowed("min"), &min);
    error.add_param(Cow::Borrowed("max"), &max);
    error.add_param(Cow::Borrowed("value"), &value);
    Err(error)
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
