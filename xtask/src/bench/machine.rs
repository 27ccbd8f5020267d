//! Where a benchmark ran: the git commit of the code (with `-dirty` when the work tree has
//! uncommitted changes) and the machine (CPU model, cores, the CPU's feature flags, memory
//! and kernel), recorded in the JSON report so that every figure can be traced to the code
//! and the hardware that produced it.

use serde_json::{json, Value};
use std::path::Path;
use std::process::Command;

/// The commit checked out in `workspace_root`, `-dirty` appended when tracked files
/// differ from it; `None` outside a git work tree (or without git).
pub fn git_commit(workspace_root: &Path) -> Option<String> {
    let git = |args: &[&str]| {
        Command::new("git")
            .args(args)
            .current_dir(workspace_root)
            .output()
            .ok()
            .filter(|output| output.status.success())
            .map(|output| String::from_utf8_lossy(&output.stdout).trim().to_string())
    };
    let commit = git(&["rev-parse", "HEAD"])?;
    let dirty = git(&["status", "--porcelain", "--untracked-files=no"])
        .is_some_and(|status| !status.is_empty());
    Some(if dirty {
        format!("{commit}-dirty")
    } else {
        commit
    })
}

/// The machine: `cpu` (model name), `cores` (available to this process), `logical_cpus`,
/// `flags` (every flag `/proc/cpuinfo` lists, in its order), `memory_bytes`, `arch`, `os`
/// and `kernel`. Fields the system does not expose are null.
pub fn machine() -> Value {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let field = |name: &str| {
        cpuinfo
            .lines()
            .find(|line| line.split(':').next().is_some_and(|key| key.trim() == name))
            .and_then(|line| line.split_once(':'))
            .map(|(_, value)| value.trim().to_string())
    };
    let flags: Option<Vec<String>> = field("flags")
        .or_else(|| field("Features"))
        .map(|flags| flags.split_whitespace().map(str::to_string).collect());
    let logical_cpus = cpuinfo
        .lines()
        .filter(|line| line.starts_with("processor"))
        .count();
    let memory_bytes = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|info| {
            let line = info.lines().find(|line| line.starts_with("MemTotal:"))?;
            let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
            Some(kb * 1024)
        });
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .ok()
        .map(|release| release.trim().to_string());
    json!({
        "cpu": field("model name"),
        "cores": std::thread::available_parallelism().map_or(1, |count| count.get()),
        "logical_cpus": (logical_cpus > 0).then_some(logical_cpus),
        "flags": flags,
        "memory_bytes": memory_bytes,
        "arch": std::env::consts::ARCH,
        "os": std::env::consts::OS,
        "kernel": kernel,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_the_commit_and_the_machine() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        if let Some(commit) = git_commit(root) {
            let hex = commit.trim_end_matches("-dirty");
            assert_eq!(hex.len(), 40, "{commit}");
            assert!(hex.chars().all(|c| c.is_ascii_hexdigit()));
        }
        assert_eq!(git_commit(Path::new("/")), None);
        let machine = machine();
        assert!(machine["cores"].as_u64().unwrap() >= 1);
        assert_eq!(machine["arch"], std::env::consts::ARCH);
        if cfg!(target_os = "linux") {
            assert!(machine["cpu"].is_string() || machine["flags"].is_array());
            assert!(machine["memory_bytes"].as_u64().unwrap() > 0);
        }
    }
}
