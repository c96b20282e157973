//! One policy for every web address a book prints, wherever it is written (Markdown links,
//! the bibliography, templates): `https:` and `http:` addresses with a host, and `mailto:`
//! addresses; nothing else becomes a link.

/// Why a web address is refused, in words an editor can act on.
pub fn check_url(url: &str) -> Result<(), String> {
    let url = url.trim();
    if url
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || "\"<>\\^`{|}".contains(c))
    {
        return Err(format!(
            "`{url}` has characters a web address cannot hold; percent-encode them"
        ));
    }
    let Some((scheme, rest)) = url.split_once(':') else {
        return Err(format!(
            "`{url}` is not a web address: write https://host/path"
        ));
    };
    match scheme.to_ascii_lowercase().as_str() {
        "https" | "http" => {
            let Some(after) = rest.strip_prefix("//") else {
                return Err(format!(
                    "`{url}` is not a web address: write https://host/path"
                ));
            };
            let authority = after.split(['/', '?', '#']).next().unwrap_or("");
            let host = authority.rsplit('@').next().unwrap_or("");
            let host = host.split(':').next().unwrap_or("");
            if authority.contains('@') {
                return Err(format!(
                    "`{url}` carries a user name or password; link to the page itself"
                ));
            }
            let valid_host = !host.is_empty()
                && host.contains('.')
                && host
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '-' || c == '.');
            if valid_host {
                Ok(())
            } else {
                Err(format!("`{url}` has no host name: write https://host/path"))
            }
        }
        "mailto" => {
            let (local, domain) = rest.split_once('@').unwrap_or(("", ""));
            if local.is_empty() || !domain.contains('.') {
                Err(format!(
                    "`{url}` is not an e-mail address: write mailto:name@host"
                ))
            } else {
                Ok(())
            }
        }
        other => Err(format!(
            "links with the scheme `{other}:` are not allowed; use https:, http: or mailto:"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_web_and_mail_addresses_pass() {
        for good in [
            "https://example.org/",
            "http://www.example.org/a?b=1&c=2#d",
            "https://例子.中国/路径",
            "mailto:editors@example.org",
        ] {
            assert_eq!(check_url(good), Ok(()), "{good}");
        }
        for bad in [
            "javascript:alert(1)",
            "file:///etc/passwd",
            "https:///etc/passwd",
            "https://",
            "https:example.org",
            "data:text/html,x",
            "https://user:secret@example.org/",
            "https://exa mple.org/",
            "mailto:nobody",
            "ftp://example.org/x",
            "",
        ] {
            assert!(check_url(bad).is_err(), "{bad}");
        }
    }
}
