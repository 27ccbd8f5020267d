//! The shell: reading script bytes (`bytes`), statement splitting (`scanner`), the driver that runs statements and
//! backslash commands (`runner`), `\d` descriptions (`describe`), the interactive
//! loop on rustyline with history and multi-line statements (`interactive`), Ctrl-C
//! cancelling the running statement (`interrupt`) and the progress bar of `CREATE INDEX`
//! and `COPY` (`progress_bar`), and psql's variables with `\set` and `:NAME`
//! interpolation (`variables`).

pub mod bytes;
pub mod describe;
pub mod interactive;
pub mod interrupt;
pub mod progress_bar;
pub mod runner;
pub mod scanner;
pub mod variables;

pub use runner::{Flow, Shell, ShellOptions};

/// The text of `\?`.
pub const HELP: &str = "General
  \\q                     quit vecsh
  \\?                     show this help

Informational
  \\d                     list tables
  \\d NAME                describe table NAME
  \\di                    list indexes

Formatting
  \\x [on|off]            toggle expanded output

Input/Output
  \\echo [-n] [STRING]    write string to standard output (-n for no newline)
  \\i FILE                execute commands from file
  \\qecho [-n] [STRING]   write string to the query output stream
  \\timing [on|off]       toggle timing of commands

Variables
  \\set [NAME [VALUE]]    set variable, or list all if no parameters
  \\unset NAME            unset (delete) variable

";
