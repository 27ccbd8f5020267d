//! Splitting input into statements the way psql's lexer does: a statement ends at a `;`
//! outside quotes, comments and parentheses; leading white space and `--` comments
//! before a statement are dropped; everything else (comments inside a statement, line
//! breaks) is kept, so error positions match psql's.

use std::ops::ControlFlow;

/// Where the scanner stands inside a statement.
#[derive(Clone, Debug, PartialEq, Eq)]
enum State {
    Normal,
    SingleQuote,
    DoubleQuote,
    Dollar(String),
    BlockComment(usize),
}

/// Accumulates lines and yields complete statements.
#[derive(Clone, Debug)]
pub struct StatementScanner {
    buffer: String,
    state: State,
    parens: usize,
}

impl Default for StatementScanner {
    fn default() -> Self {
        StatementScanner {
            buffer: String::new(),
            state: State::Normal,
            parens: 0,
        }
    }
}

impl StatementScanner {
    /// Whether a statement has started and not ended.
    pub fn is_pending(&self) -> bool {
        !self.buffer.is_empty()
    }

    /// Whether the scanner is inside a quoted string or comment.
    pub fn in_quote(&self) -> bool {
        self.state != State::Normal
    }

    /// Feeds one line (without its newline); returns the statements it completed, each
    /// ending with its `;`.
    pub fn feed_line(&mut self, line: &str) -> Vec<String> {
        let mut done = Vec::new();
        let _ = self.feed_line_with(line, |statement| {
            done.push(statement.to_string());
            ControlFlow::<()>::Continue(())
        });
        done
    }

    /// Feeds one line (without its newline), calling `statement` with each statement it
    /// completes (ending with its `;`) as it completes it, and stopping at the first call
    /// that breaks; the rest of the line is then dropped. The statement is lent from the
    /// scanner's buffer, which keeps its capacity: a script of long statements (a vector
    /// literal each) reuses one buffer instead of growing a new one per statement.
    pub fn feed_line_with<B>(
        &mut self,
        line: &str,
        mut statement: impl FnMut(&str) -> ControlFlow<B>,
    ) -> ControlFlow<B> {
        if !self.buffer.is_empty() {
            self.buffer.push('\n');
        }
        // Byte positions, always on a character's first byte: every character that
        // matters here is ASCII, and others are copied whole.
        let bytes = line.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let c = bytes[i];
            let next = bytes.get(i + 1).copied();
            if !c.is_ascii() {
                let ch = line[i..].chars().next().unwrap_or_default();
                let leading = self.state == State::Normal && self.buffer.trim().is_empty();
                if !(leading && ch.is_whitespace()) {
                    self.buffer.push(ch);
                }
                i += ch.len_utf8();
                continue;
            }
            match &self.state {
                State::Normal => {
                    if c == b'-' && next == Some(b'-') {
                        // A line comment: kept inside a statement, dropped before one.
                        if !self.buffer.trim().is_empty() {
                            self.buffer.push_str(&line[i..]);
                        }
                        break;
                    }
                    // `char::is_whitespace` of an ASCII character (vertical tab included).
                    let white = c.is_ascii_whitespace() || c == 0x0b;
                    if white && self.buffer.trim().is_empty() {
                        i += 1;
                        continue;
                    }
                    self.buffer.push(c as char);
                    match c {
                        b'\'' => self.state = State::SingleQuote,
                        b'"' => self.state = State::DoubleQuote,
                        b'/' if next == Some(b'*') => {
                            self.buffer.push('*');
                            i += 1;
                            self.state = State::BlockComment(1);
                        }
                        b'$' => {
                            if let Some(tag) = dollar_tag(&line[i..]) {
                                self.buffer.push_str(&tag[1..]);
                                i += tag.len() - 1;
                                self.state = State::Dollar(tag.to_string());
                            }
                        }
                        b'(' => self.parens += 1,
                        b')' => self.parens = self.parens.saturating_sub(1),
                        b';' if self.parens == 0 => {
                            let flow = statement(&self.buffer);
                            self.buffer.clear();
                            flow?;
                        }
                        _ => {}
                    }
                }
                State::SingleQuote | State::DoubleQuote => {
                    // The quoted run up to and with its closing quote in one piece (a
                    // vector's literal is thousands of characters).
                    let quote = if self.state == State::SingleQuote {
                        b'\''
                    } else {
                        b'"'
                    };
                    let run =
                        memchr::memchr(quote, &bytes[i..]).map_or(line.len(), |at| i + at + 1);
                    self.buffer.push_str(&line[i..run]);
                    if bytes[i..run].last() == Some(&quote) {
                        self.state = State::Normal;
                    }
                    i = run;
                    continue;
                }
                State::Dollar(tag) => {
                    let run = match line[i..].find(tag.as_str()) {
                        Some(at) => {
                            let run = i + at + tag.len();
                            self.state = State::Normal;
                            run
                        }
                        None => line.len(),
                    };
                    self.buffer.push_str(&line[i..run]);
                    i = run;
                    continue;
                }
                State::BlockComment(depth) => {
                    let depth = *depth;
                    self.buffer.push(c as char);
                    if c == b'*' && next == Some(b'/') {
                        self.buffer.push('/');
                        i += 1;
                        self.state = if depth == 1 {
                            State::Normal
                        } else {
                            State::BlockComment(depth - 1)
                        };
                    } else if c == b'/' && next == Some(b'*') {
                        self.buffer.push('*');
                        i += 1;
                        self.state = State::BlockComment(depth + 1);
                    }
                }
            }
            i += 1;
        }
        ControlFlow::Continue(())
    }

    /// The unterminated statement at the end of input, if any.
    pub fn finish(&mut self) -> Option<String> {
        let rest = std::mem::take(&mut self.buffer);
        self.state = State::Normal;
        self.parens = 0;
        (!rest.trim().is_empty()).then_some(rest)
    }
}

/// A dollar-quote opening tag (`$$`, `$tag$`) at the start of `text`.
fn dollar_tag(text: &str) -> Option<&str> {
    let end = text[1..].find('$')? + 1;
    let body = &text[1..end];
    let word = body.chars().all(|c| c.is_alphanumeric() || c == '_');
    (word && !body.starts_with(|c: char| c.is_ascii_digit())).then(|| &text[..=end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_on_semicolons_outside_quotes() {
        let mut scanner = StatementScanner::default();
        assert_eq!(scanner.feed_line("-- comment"), Vec::<String>::new());
        assert!(!scanner.is_pending());
        assert_eq!(
            scanner.feed_line("SELECT ';' AS a; SELECT 2"),
            vec!["SELECT ';' AS a;"]
        );
        assert_eq!(scanner.feed_line("  + 1;"), vec!["SELECT 2\n  + 1;"]);
        assert_eq!(
            scanner.feed_line("SELECT $$a;b$$;"),
            vec!["SELECT $$a;b$$;"]
        );
        scanner.feed_line("SELECT 1");
        assert_eq!(scanner.finish().as_deref(), Some("SELECT 1"));
    }

    #[test]
    fn quoted_runs_keep_every_character() {
        let mut scanner = StatementScanner::default();
        // Characters of every UTF-8 width inside and around literals, doubled quotes,
        // several literals on a line and a literal across lines.
        assert_eq!(
            scanner.feed_line("SELECT 'é;ü' || 'it''s; 𝔘' AS \"ñ;\", '€'; SELECT 'a"),
            vec!["SELECT 'é;ü' || 'it''s; 𝔘' AS \"ñ;\", '€';"]
        );
        assert!(scanner.is_pending());
        assert_eq!(
            scanner.feed_line("b;ç'; SELECT 3;"),
            vec!["SELECT 'a\nb;ç';", "SELECT 3;"]
        );
        assert!(!scanner.is_pending());
    }

    #[test]
    fn comments_dollar_quotes_and_wide_characters() {
        let mut scanner = StatementScanner::default();
        assert_eq!(
            scanner.feed_line("\u{a0} SELECT /* ü; /* é; */ ; */ $é$a;€$é$ || $$;$$ AS \"x\";"),
            vec!["SELECT /* ü; /* é; */ ; */ $é$a;€$é$ || $$;$$ AS \"x\";"]
        );
        assert_eq!(scanner.feed_line("\u{b}SELECT (1;"), Vec::<String>::new());
        assert_eq!(scanner.feed_line("2); -- é"), vec!["SELECT (1;\n2);"]);
        assert!(!scanner.is_pending());
    }
}
