//! What the page says about the site's `config.json` (see [`crate::site`]).

use std::fmt;

use crate::site::{BaseUrlProblem, Expected, SiteError, MAX_PRESETS, TARGET_LAG_RANGE};

impl fmt::Display for SiteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "This site's config.json cannot be used, so the console runs on its defaults: ",
        )?;
        match self {
            SiteError::NotJson { detail } => write!(f, "it is not valid JSON ({detail})."),
            SiteError::NotAnObject => f.write_str("it must be one JSON object ({ … })."),
            SiteError::Credentials { path } => write!(
                f,
                "“{}” looks like credentials, and credentials never go in config.json (anyone who \
                 can open the console can read it). Each user types their own.",
                super::name(path)
            ),
            SiteError::UnknownKey { path } => write!(
                f,
                "“{}” is not a setting Vigil knows (presets, demo, target_lag_s; a preset has \
                 name, provider and base_url).",
                super::name(path)
            ),
            SiteError::WrongType { path, expected } => write!(
                f,
                "“{}” must be {}.",
                super::name(path),
                match expected {
                    Expected::List => "a list ([ … ])",
                    Expected::Object => "an object ({ … })",
                    Expected::Text => "text in quotes",
                    Expected::YesNo => "true or false",
                    Expected::Number => "a number",
                }
            ),
            SiteError::Provider { index, given } => write!(
                f,
                "preset {} names the provider “{}”, which Vigil does not know; use one of {}.",
                index + 1,
                super::name(given),
                crate::DialectKind::ALL
                    .iter()
                    .map(|d| d.slug())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            SiteError::NameMissing { index } => write!(f, "preset {} has no name.", index + 1),
            SiteError::DuplicateName { name } => write!(
                f,
                "two presets are named “{}”; each needs a name of its own.",
                super::name(name)
            ),
            SiteError::BaseUrl { index, given, why } => write!(
                f,
                "preset {}'s base URL “{}” {}.",
                index + 1,
                super::name(given),
                match why {
                    BaseUrlProblem::Scheme =>
                        "must start with https://, http:// or / (a path on this site, such as a relay)",
                    BaseUrlProblem::ProtocolRelative =>
                        "starts with // (another site without https://); write the https:// out",
                    BaseUrlProblem::Spaces => "holds spaces or invisible characters",
                    BaseUrlProblem::Credentials => "holds an @: credentials never go in a URL",
                    BaseUrlProblem::Query => "holds a ? or #: a base URL takes no query",
                }
            ),
            SiteError::TargetLag { given } => write!(
                f,
                "target_lag_s is {}; it must be between {} and {} seconds.",
                super::name(given),
                TARGET_LAG_RANGE.0 as f64 / 1000.0,
                TARGET_LAG_RANGE.1 / 1000
            ),
            SiteError::TooManyPresets { count } => write!(
                f,
                "it has {count} presets; at most {MAX_PRESETS}."
            ),
        }
    }
}

/// The words of the site's presets in Settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SiteLabel {
    /// The heading over the presets not used yet.
    Offered,
    /// What a preset needs.
    OfferedHint,
    /// The button that fills the form with a preset.
    Use,
}

impl SiteLabel {
    pub fn text(self) -> &'static str {
        match self {
            SiteLabel::Offered => "Offered by this site",
            SiteLabel::OfferedHint => {
                "Your provider set these up: pick one and type only your credentials."
            }
            SiteLabel::Use => "Use",
        }
    }
}

/// The form's heading while it holds a preset: all it asks for is credentials.
pub fn credentials_for(preset: &str) -> String {
    format!("Your credentials for {}", super::name(preset))
}
