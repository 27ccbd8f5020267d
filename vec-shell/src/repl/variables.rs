//! psql's variables: `\set NAME value …`, `\unset NAME`, `-v NAME=value`, and their
//! interpolation into SQL as psql does it — `:NAME` becomes the value, `:'NAME'` the
//! value as a quoted literal, `:"NAME"` as a quoted identifier — outside quotes,
//! comments and `::` casts; a name that is not set is left as written.

use std::borrow::Cow;
use std::collections::BTreeMap;

/// The shell's variables.
#[derive(Clone, Debug, Default)]
pub struct Variables {
    values: BTreeMap<String, String>,
}

impl Variables {
    /// Sets a variable.
    pub fn set(&mut self, name: &str, value: &str) {
        self.values.insert(name.to_string(), value.to_string());
    }

    /// Removes a variable.
    pub fn unset(&mut self, name: &str) {
        self.values.remove(name);
    }

    /// A variable's value.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    /// `\set` without arguments: every variable as `NAME = 'value'`, sorted.
    pub fn listing(&self) -> String {
        self.values
            .iter()
            .map(|(name, value)| format!("{name} = '{value}'\n"))
            .collect()
    }

    /// `\set NAME [value …]`: the values after the name, unquoted (`'…'` with `''` for
    /// a quote) and joined, as psql does.
    pub fn set_command(&mut self, arguments: &str) -> Result<(), String> {
        let words = self.arguments(arguments);
        let Some((name, values)) = words.split_first() else {
            return Ok(());
        };
        if name.is_empty() || !name.chars().all(|c| c.is_alphanumeric() || c == '_') {
            return Err(format!("\\set: invalid variable name: \"{name}\""));
        }
        self.set(name, &values.concat());
        Ok(())
    }

    /// The words of a backslash command's arguments as psql reads them:
    /// whitespace-separated, `'quoted'` parts unquoted (`''` for a quote), and `:NAME`,
    /// `:'NAME'`, `:"NAME"` outside quotes replaced by the variable's value (quoted, in
    /// the last two forms, and kept so).
    pub fn arguments(&self, arguments: &str) -> Vec<String> {
        let chars: Vec<char> = arguments.trim().chars().collect();
        let mut words = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            if chars[i].is_whitespace() {
                i += 1;
                continue;
            }
            let mut word = String::new();
            while i < chars.len() && !chars[i].is_whitespace() {
                match chars[i] {
                    '\'' => {
                        i += 1;
                        while i < chars.len() {
                            if chars[i] == '\'' {
                                if chars.get(i + 1) == Some(&'\'') {
                                    word.push('\'');
                                    i += 2;
                                    continue;
                                }
                                i += 1;
                                break;
                            }
                            word.push(chars[i]);
                            i += 1;
                        }
                    }
                    ':' => match self.reference(&chars, i) {
                        Some((text, end)) => {
                            word.push_str(&text);
                            i = end;
                        }
                        None => {
                            word.push(':');
                            i += 1;
                        }
                    },
                    c => {
                        word.push(c);
                        i += 1;
                    }
                }
            }
            words.push(word);
        }
        words
    }

    /// Replaces `:NAME`, `:'NAME'` and `:"NAME"` in `sql`.
    pub fn interpolate<'a>(&self, sql: &'a str) -> Cow<'a, str> {
        if self.values.is_empty() || memchr::memchr(b':', sql.as_bytes()).is_none() {
            return Cow::Borrowed(sql);
        }
        let chars: Vec<char> = sql.chars().collect();
        let mut out = String::with_capacity(sql.len());
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            match c {
                '\'' | '"' => {
                    // Copy a quoted string or identifier whole (doubled quotes inside).
                    let end = closing_quote(&chars, i);
                    out.extend(&chars[i..end]);
                    i = end;
                }
                '-' if chars.get(i + 1) == Some(&'-') => {
                    let end = chars[i..]
                        .iter()
                        .position(|c| *c == '\n')
                        .map_or(chars.len(), |p| i + p);
                    out.extend(&chars[i..end]);
                    i = end;
                }
                ':' if chars.get(i + 1) == Some(&':') => {
                    out.push_str("::");
                    i += 2;
                }
                ':' => match self.reference(&chars, i) {
                    Some((text, end)) => {
                        out.push_str(&text);
                        i = end;
                    }
                    None => {
                        out.push(c);
                        i += 1;
                    }
                },
                _ => {
                    out.push(c);
                    i += 1;
                }
            }
        }
        Cow::Owned(out)
    }

    /// The replacement of a reference at `start` (a `:`) and where it ends.
    fn reference(&self, chars: &[char], start: usize) -> Option<(String, usize)> {
        let quote = match chars.get(start + 1) {
            Some(q @ ('\'' | '"')) => Some(*q),
            _ => None,
        };
        let name_start = start + 1 + usize::from(quote.is_some());
        let mut end = name_start;
        while end < chars.len() && (chars[end].is_alphanumeric() || chars[end] == '_') {
            end += 1;
        }
        if end == name_start {
            return None;
        }
        let name: String = chars[name_start..end].iter().collect();
        let value = self.get(&name)?;
        match quote {
            None => Some((value.to_string(), end)),
            Some(q) if chars.get(end) == Some(&q) => {
                let doubled = value.replace(q, &format!("{q}{q}"));
                Some((format!("{q}{doubled}{q}"), end + 1))
            }
            Some(_) => None,
        }
    }
}

/// Where the quoted text starting at `start` ends (just past its closing quote).
fn closing_quote(chars: &[char], start: usize) -> usize {
    let quote = chars[start];
    let mut i = start + 1;
    while i < chars.len() {
        if chars[i] == quote {
            if chars.get(i + 1) == Some(&quote) {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i += 1;
    }
    chars.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_replaced_outside_quotes_and_casts() {
        let mut variables = Variables::default();
        variables.set_command("q '[1,2,3]'").unwrap();
        variables.set_command("t items").unwrap();
        variables.set_command("who 'O''Brien'").unwrap();
        assert_eq!(
            variables.interpolate("SELECT :'q'::vector FROM :t WHERE x = ':q' -- :t"),
            "SELECT '[1,2,3]'::vector FROM items WHERE x = ':q' -- :t"
        );
        assert_eq!(
            variables.interpolate("SELECT :'who', :\"t\""),
            "SELECT 'O''Brien', \"items\""
        );
        assert_eq!(
            variables.interpolate("SELECT :missing, a::int"),
            "SELECT :missing, a::int"
        );
        variables.set_command("joined a 'b c' d").unwrap();
        assert_eq!(variables.get("joined"), Some("ab cd"));
        assert!(variables.set_command("bad-name 1").is_err());
        variables.unset("joined");
        assert_eq!(
            variables.listing(),
            "q = '[1,2,3]'\nt = 'items'\nwho = 'O'Brien'\n"
        );
    }
}
