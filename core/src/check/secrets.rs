//! Spotting secrets written in plain text (tokens in `env`, `headers`, `args`), so the rules can
//! say "use a `${VAR}` reference instead" (DESIGN §11: secrets are never written in plain text).
//!
//! Known token shapes are recognised by prefix; anything else long and random-looking counts as a
//! secret by its entropy. `${VAR}` references are never secrets.

use std::ops::Range;

/// A secret found inside a string value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Secret {
    /// Byte range of the secret inside the value.
    pub range: Range<usize>,
    /// What it looks like, e.g. "a GitHub token".
    pub what: &'static str,
    /// The environment variable such a secret usually lives in.
    pub var: &'static str,
}

/// Prefix, minimum length of the whole token, description, usual variable.
const PREFIXES: &[(&str, usize, &str, &str)] = &[
    ("ghp_", 30, "a GitHub token", "GITHUB_TOKEN"),
    ("gho_", 30, "a GitHub token", "GITHUB_TOKEN"),
    ("ghu_", 30, "a GitHub token", "GITHUB_TOKEN"),
    ("ghs_", 30, "a GitHub token", "GITHUB_TOKEN"),
    ("ghr_", 30, "a GitHub token", "GITHUB_TOKEN"),
    ("github_pat_", 30, "a GitHub token", "GITHUB_TOKEN"),
    ("glpat-", 20, "a GitLab token", "GITLAB_TOKEN"),
    ("sk-ant-", 20, "an Anthropic API key", "ANTHROPIC_API_KEY"),
    ("sk-", 20, "an API key", "API_KEY"),
    ("xoxb-", 15, "a Slack token", "SLACK_TOKEN"),
    ("xoxp-", 15, "a Slack token", "SLACK_TOKEN"),
    ("xoxa-", 15, "a Slack token", "SLACK_TOKEN"),
    ("xoxr-", 15, "a Slack token", "SLACK_TOKEN"),
    ("xoxs-", 15, "a Slack token", "SLACK_TOKEN"),
    ("AKIA", 20, "an AWS access key", "AWS_ACCESS_KEY_ID"),
    ("ASIA", 20, "an AWS access key", "AWS_ACCESS_KEY_ID"),
    ("AIza", 35, "a Google API key", "GOOGLE_API_KEY"),
    ("npm_", 36, "an npm token", "NPM_TOKEN"),
    ("hf_", 30, "a Hugging Face token", "HF_TOKEN"),
    ("pk_live_", 20, "a Stripe key", "STRIPE_KEY"),
    ("sk_live_", 20, "a Stripe key", "STRIPE_KEY"),
];

/// Finds a secret in `value`, if one is written there in plain text.
pub(crate) fn find_secret(value: &str) -> Option<Secret> {
    if value.contains("-----BEGIN") && value.contains("PRIVATE KEY") {
        return Some(Secret {
            range: 0..value.len(),
            what: "a private key",
            var: "PRIVATE_KEY",
        });
    }
    // Look at each whitespace-separated word (so `Bearer <token>` finds the token), and at the
    // part after `=` (so `--token=<token>` does too).
    let mut offset = 0;
    for word in value.split_inclusive(char::is_whitespace) {
        let start = offset;
        offset += word.len();
        let word = word.trim_end();
        let (start, word) = match word.rfind('=') {
            Some(eq) if eq + 1 < word.len() && word.starts_with('-') => {
                (start + eq + 1, &word[eq + 1..])
            }
            _ => (start, word),
        };
        let word = word.trim_matches(|c| c == '"' || c == '\'');
        if word.contains("${") || word.contains("://") {
            continue;
        }
        let range = start..start + word.len();
        for (prefix, min_len, what, var) in PREFIXES {
            if word.starts_with(prefix)
                && word.len() >= *min_len
                && word[prefix.len()..]
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
            {
                return Some(Secret { range, what, var });
            }
        }
        if looks_random(word) {
            return Some(Secret {
                range,
                what: "a token",
                var: "TOKEN",
            });
        }
    }
    None
}

/// Long, token-alphabet only, mixed letters and digits, and high Shannon entropy: a generated
/// credential rather than a word, path or version.
fn looks_random(word: &str) -> bool {
    if word.len() < 32 || word.len() > 512 {
        return false;
    }
    if !word
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"+/=_-.".contains(&b))
    {
        return false;
    }
    if word.starts_with('/') || word.starts_with('.') || word.matches('/').count() >= 2 {
        // Paths, not tokens.
        return false;
    }
    let has_digit = word.bytes().any(|b| b.is_ascii_digit());
    let has_upper = word.bytes().any(|b| b.is_ascii_uppercase());
    let has_lower = word.bytes().any(|b| b.is_ascii_lowercase());
    if !(has_digit && has_lower && has_upper) {
        // Hex digests and UUIDs (lower-case only) are usually ids, not secrets.
        return false;
    }
    entropy(word) >= 4.0
}

/// Shannon entropy in bits per byte.
fn entropy(word: &str) -> f64 {
    let mut counts = [0usize; 256];
    for b in word.bytes() {
        counts[b as usize] += 1;
    }
    let n = word.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / n;
            -p * p.log2()
        })
        .sum()
}

/// A variable name for a `${VAR}` reference replacing the secret under `key` (an env name, a
/// header name …): the key itself when it already is a valid variable name, else the usual
/// variable for that kind of secret.
pub(crate) fn var_name_for(key: &str, secret: &Secret) -> String {
    let is_env_name = !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
        && !key.as_bytes()[0].is_ascii_digit();
    if is_env_name {
        return key.to_string();
    }
    if secret.var != "TOKEN" && secret.var != "API_KEY" {
        return secret.var.to_string();
    }
    let upper: String = key
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    let upper = upper.trim_matches('_').to_string();
    if upper.is_empty() || upper.as_bytes()[0].is_ascii_digit() || upper == "AUTHORIZATION" {
        secret.var.to_string()
    } else {
        upper
    }
}

/// `value` with the secret replaced by `${var}`.
pub(crate) fn redacted(value: &str, secret: &Secret, var: &str) -> String {
    let mut out = String::with_capacity(value.len());
    out.push_str(&value[..secret.range.start]);
    out.push_str("${");
    out.push_str(var);
    out.push('}');
    out.push_str(&value[secret.range.end..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_tokens() {
        let gh = "ghp_0123456789abcdefABCDEF0123456789abcd";
        assert_eq!(find_secret(gh).unwrap().what, "a GitHub token");
        let bearer = format!("Bearer {gh}");
        let s = find_secret(&bearer).unwrap();
        assert_eq!(&bearer[s.range.clone()], gh);
        assert_eq!(
            redacted(&bearer, &s, "GITHUB_TOKEN"),
            "Bearer ${GITHUB_TOKEN}"
        );
        assert!(find_secret("AKIAIOSFODNN7EXAMPLE").is_some());
        assert!(find_secret("--api-key=sk-ant-api03-abcdefghijklmnopqrstu").is_some());
        assert!(find_secret("q8Zr2LmX9vTa7KpW3nYc5HbJ1dFg6SeQ").is_some());
    }

    #[test]
    fn ignores_ordinary_values() {
        for v in [
            "${GITHUB_TOKEN}",
            "Bearer ${TOKEN}",
            "1",
            "true",
            "/usr/local/bin/some-really-long-path-name-here",
            "0123456789abcdef0123456789abcdef01234567",
            "https://example.com/very/long/path/ABCdef123456789012345",
            "@modelcontextprotocol/server-github",
            "sk-",
            "src/Components/Button123/IndexPage.tsx",
        ] {
            assert!(find_secret(v).is_none(), "{v}");
        }
    }

    #[test]
    fn var_names() {
        let s = find_secret("ghp_0123456789abcdefABCDEF0123456789abcd").unwrap();
        assert_eq!(var_name_for("GH_TOKEN", &s), "GH_TOKEN");
        assert_eq!(var_name_for("Authorization", &s), "GITHUB_TOKEN");
        let t = find_secret("q8Zr2LmX9vTa7KpW3nYc5HbJ1dFg6SeQ").unwrap();
        assert_eq!(var_name_for("X-Api-Key", &t), "X_API_KEY");
    }
}
