//! Window syntax: `OVER name | OVER (…)` after a call, a window definition
//! (`[name] [PARTITION BY …] [ORDER BY …] [frame]`) and a query's `WINDOW` clause.

use super::Parser;
use crate::error::{EngineError, Result};
use crate::sql::ast::{Frame, FrameBound, FrameExclusion, FrameUnits, NamedWindow, Pos, WindowDef};
use crate::sql::lexer::TokenKind;

impl Parser<'_> {
    /// `OVER name` or `OVER (definition)`, when the next word is `OVER`.
    pub(super) fn over_clause(&mut self) -> Result<Option<WindowDef>> {
        if !self.peek_word("over") {
            return Ok(None);
        }
        self.advance();
        let pos = self.pos();
        if self.eat(&TokenKind::LParen) {
            let def = self.window_definition(pos)?;
            self.expect(&TokenKind::RParen)?;
            return Ok(Some(def));
        }
        let name = self.identifier()?;
        Ok(Some(WindowDef {
            base: Some(name),
            pos: Pos(pos),
            ..WindowDef::default()
        }))
    }

    /// `WINDOW name AS (definition), …`, when the next word is `WINDOW`.
    pub(super) fn window_clause(&mut self) -> Result<Vec<NamedWindow>> {
        let mut windows = Vec::new();
        if !self.eat_word("window") {
            return Ok(windows);
        }
        loop {
            let name = self.identifier()?;
            self.expect_word("as")?;
            let pos = self.pos();
            self.expect(&TokenKind::LParen)?;
            let def = self.window_definition(pos)?;
            self.expect(&TokenKind::RParen)?;
            windows.push(NamedWindow { name, def });
            if !self.eat(&TokenKind::Comma) {
                return Ok(windows);
            }
        }
    }

    /// The inside of a window's parentheses.
    fn window_definition(&mut self, pos: usize) -> Result<WindowDef> {
        let mut def = WindowDef {
            pos: Pos(pos),
            ..WindowDef::default()
        };
        let starts_clause = |p: &Self| {
            ["partition", "order", "rows", "range", "groups"]
                .iter()
                .any(|w| p.peek_word(w))
        };
        if self.peek() != Some(&TokenKind::RParen) && !starts_clause(self) {
            def.base = Some(self.identifier()?);
            def.copies = true;
        }
        if self.eat_word("partition") {
            self.expect_word("by")?;
            def.partition_by = self.expr_list()?;
        }
        if self.eat_word("order") {
            self.expect_word("by")?;
            def.order_by = self.order_keys()?;
        }
        def.frame = self.frame_clause()?;
        Ok(def)
    }

    /// `ROWS | RANGE | GROUPS start`, or `… BETWEEN start AND end`, with `EXCLUDE …`.
    fn frame_clause(&mut self) -> Result<Option<Frame>> {
        let pos = self.pos();
        let units = if self.eat_word("rows") {
            FrameUnits::Rows
        } else if self.eat_word("range") {
            FrameUnits::Range
        } else if self.eat_word("groups") {
            FrameUnits::Groups
        } else {
            return Ok(None);
        };
        let between = self.eat_word("between");
        let start_pos = self.pos();
        let start = self.frame_bound()?;
        let (end, end_pos) = if between {
            self.expect_word("and")?;
            let end_pos = self.pos();
            (self.frame_bound()?, end_pos)
        } else {
            (FrameBound::CurrentRow, start_pos)
        };
        check_bounds(&start, &end, between, start_pos, end_pos)?;
        let exclude = if self.eat_word("exclude") {
            if self.eat_word("current") {
                self.expect_word("row")?;
                FrameExclusion::CurrentRow
            } else if self.eat_word("group") {
                FrameExclusion::Group
            } else if self.eat_word("ties") {
                FrameExclusion::Ties
            } else {
                self.expect_word("no")?;
                self.expect_word("others")?;
                FrameExclusion::NoOthers
            }
        } else {
            FrameExclusion::NoOthers
        };
        Ok(Some(Frame {
            units,
            start,
            end,
            exclude,
            pos: Pos(pos),
        }))
    }

    /// `UNBOUNDED PRECEDING | FOLLOWING`, `CURRENT ROW`, `offset PRECEDING | FOLLOWING`.
    fn frame_bound(&mut self) -> Result<FrameBound> {
        if self.eat_word("unbounded") {
            if self.eat_word("preceding") {
                return Ok(FrameBound::UnboundedPreceding);
            }
            self.expect_word("following")?;
            return Ok(FrameBound::UnboundedFollowing);
        }
        if self.eat_word("current") {
            self.expect_word("row")?;
            return Ok(FrameBound::CurrentRow);
        }
        let offset = Box::new(self.expr()?);
        if self.eat_word("preceding") {
            return Ok(FrameBound::Preceding(offset));
        }
        self.expect_word("following")?;
        Ok(FrameBound::Following(offset))
    }
}

/// PostgreSQL's grammar checks of which frame bounds may go together, pointing at the
/// offending bound.
fn check_bounds(
    start: &FrameBound,
    end: &FrameBound,
    between: bool,
    start_pos: usize,
    end_pos: usize,
) -> Result<()> {
    use FrameBound as B;
    let error = |message: &str, pos: usize| Err(EngineError::new("42P20", message).at(pos));
    if matches!(start, B::UnboundedFollowing) {
        return error("frame start cannot be UNBOUNDED FOLLOWING", start_pos);
    }
    if !between {
        if matches!(start, B::Following(_)) {
            return error(
                "frame starting from following row cannot end with current row",
                start_pos,
            );
        }
        return Ok(());
    }
    match (start, end) {
        (_, B::UnboundedPreceding) => error("frame end cannot be UNBOUNDED PRECEDING", end_pos),
        (B::CurrentRow, B::Preceding(_)) => error(
            "frame starting from current row cannot have preceding rows",
            end_pos,
        ),
        (B::Following(_), B::Preceding(_) | B::CurrentRow) => error(
            "frame starting from following row cannot have preceding rows",
            end_pos,
        ),
        _ => Ok(()),
    }
}
