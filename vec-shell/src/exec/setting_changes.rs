//! `set_config(name, value, is_local)` while a statement runs: each change is checked
//! against a copy of the session's settings (so a later `current_setting` in the same
//! statement's evaluation order and the function's result see it) and kept, in order,
//! for the session to apply once the statement has succeeded; a failing statement
//! changes no setting, as PostgreSQL's transaction rolls the change back.

use parking_lot::Mutex;

use crate::error::Result;
use crate::settings::Settings;

/// One `set_config` call.
#[derive(Clone, Debug, PartialEq)]
pub struct SettingChange {
    /// The parameter.
    pub name: String,
    /// The new value; `None` for the default (a NULL value).
    pub value: Option<String>,
    /// `is_local`: for the rest of the transaction block only.
    pub local: bool,
}

/// The `set_config` calls of one statement.
pub struct SettingChanges {
    state: Mutex<(Settings, Vec<SettingChange>)>,
}

impl SettingChanges {
    /// Changes over `settings`, the session's.
    pub fn new(settings: &Settings) -> Self {
        SettingChanges {
            state: Mutex::new((settings.clone(), Vec::new())),
        }
    }

    /// Checks and records a change; the parameter's new value as `SHOW` prints it.
    pub fn set(&self, name: &str, value: Option<&str>, local: bool) -> Result<String> {
        let mut state = self.state.lock();
        state.0.set(name, value)?;
        let shown = state.0.show(name)?;
        state.1.push(SettingChange {
            name: name.to_string(),
            value: value.map(str::to_string),
            local,
        });
        Ok(shown)
    }

    /// A parameter's value as the changes so far leave it.
    pub fn show(&self, name: &str) -> Result<String> {
        self.state.lock().0.show(name)
    }

    /// The changes, in the order they were made.
    pub fn into_changes(self) -> Vec<SettingChange> {
        self.state.into_inner().1
    }
}
