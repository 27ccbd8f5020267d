//! Splitting input into statements the way psql's lexer does: a statement ends at a `;`
//! outside quotes, comments and parentheses; leading white space and `--` comments
//! before a statement are dropped; everything else (comments inside a statement, line
//! breaks) is kept, so error positions match psql's.

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
        if !self.buffer.is_empty() {
            self.buffer.push('\n');
        }
        let chars: Vec<char> = line.chars().collect();
        // The byte offset in `line` of a character position at or after the last one
        // asked about (positions only grow), for copying a quoted run in one piece.
        let mut known = (0usize, 0usize);
        let mut byte_of = |position: usize| {
            let (at, byte) = known;
            let byte = byte
                + chars[at..position]
                    .iter()
                    .map(|c| c.len_utf8())
                    .sum::<usize>();
            known = (position, byte);
            byte
        };
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            let next = chars.get(i + 1).copied();
            match &self.state {
                State::Normal => {
                    if c == '-' && next == Some('-') {
                        // A line comment: kept inside a statement, dropped before one.
                        if !self.buffer.trim().is_empty() {
                            self.buffer.extend(&chars[i..]);
                        }
                        break;
                    }
                    if self.buffer.trim().is_empty() && c.is_whitespace() {
                        i += 1;
                        continue;
                    }
                    self.buffer.push(c);
                    match c {
                        '\'' => self.state = State::SingleQuote,
                        '"' => self.state = State::DoubleQuote,
                        '/' if next == Some('*') => {
                            self.buffer.push('*');
                            i += 1;
                            self.state = State::BlockComment(1);
                        }
                        '$' => {
                            if let Some(tag) = dollar_tag(&chars[i..]) {
                                self.buffer.extend(tag.chars().skip(1));
                                i += tag.chars().count() - 1;
                                self.state = State::Dollar(tag);
                            }
                        }
                        '(' => self.parens += 1,
                        ')' => self.parens = self.parens.saturating_sub(1),
                        ';' if self.parens == 0 => {
                            done.push(std::mem::take(&mut self.buffer));
                        }
                        _ => {}
                    }
                }
                State::SingleQuote => {
                    // The literal up to and with its closing quote in one piece (a
                    // vector's literal is thousands of characters).
                    let start = byte_of(i);
                    let run = line[start..]
                        .find('\'')
                        .map_or(line.len(), |at| start + at + 1);
                    let text = &line[start..run];
                    self.buffer.push_str(text);
                    i += text.chars().count();
                    if text.ends_with('\'') {
                        self.state = State::Normal;
                    }
                    continue;
                }
                State::DoubleQuote => {
                    self.buffer.push(c);
                    if c == '"' {
                        self.state = State::Normal;
                    }
                }
                State::Dollar(tag) => {
                    let tag = tag.clone();
                    if chars[i..]
                        .iter()
                        .take(tag.chars().count())
                        .copied()
                        .eq(tag.chars())
                    {
                        self.buffer.push_str(&tag);
                        i += tag.chars().count();
                        self.state = State::Normal;
                        continue;
                    }
                    self.buffer.push(c);
                }
                State::BlockComment(depth) => {
                    let depth = *depth;
                    self.buffer.push(c);
                    if c == '*' && next == Some('/') {
                        self.buffer.push('/');
                        i += 1;
                        self.state = if depth == 1 {
                            State::Normal
                        } else {
                            State::BlockComment(depth - 1)
                        };
                    } else if c == '/' && next == Some('*') {
                        self.buffer.push('*');
                        i += 1;
                        self.state = State::BlockComment(depth + 1);
                    }
                }
            }
            i += 1;
        }
        done
    }

    /// The unterminated statement at the end of input, if any.
    pub fn finish(&mut self) -> Option<String> {
        let rest = std::mem::take(&mut self.buffer);
        self.state = State::Normal;
        self.parens = 0;
        (!rest.trim().is_empty()).then_some(rest)
    }
}

/// A dollar-quote opening tag (`$$`, `$tag$`) at the start of `chars`.
fn dollar_tag(chars: &[char]) -> Option<String> {
    let end = chars.iter().skip(1).position(|c| *c == '$')? + 1;
    let body = &chars[1..end];
    if body.iter().all(|c| c.is_alphanumeric() || *c == '_')
        && !body.first().is_some_and(|c| c.is_ascii_digit())
    {
        Some(chars[..=end].iter().collect())
    } else {
        None
    }
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
}
