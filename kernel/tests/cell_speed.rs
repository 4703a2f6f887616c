//! Cells at rustc speed, and behaving exactly as before. A final expression is compiled once
//! (rust-analyzer tells whether its type has `evcxr_display`, instead of a failed compile that
//! says so); after the first build, a cell whose dependencies did not change is compiled by
//! running cargo's last rustc command again, without cargo; a cell takes out of the variable
//! store only the variables it names, and the store is a crate compiled once, not a module
//! compiled in every cell; every reply says where the cell's time went. Each test shows the
//! shortcut taken and the answer unchanged.

mod support;

use serde_json::Value;
use std::path::PathBuf;
use support::{Kernel, Message, of_type, plain_result, stream_text, write_crate};

/// The phases of a cell, from its reply's metadata, as (name, milliseconds).
fn phases(reply: &Message) -> Vec<(String, f64)> {
    let list = reply.metadata["lessons_kernel"]["phases"]
        .as_array()
        .unwrap_or_else(|| panic!("no phases in {:?}", reply.metadata));
    list.iter()
        .map(|phase| {
            let name = phase[0].as_str().unwrap().to_string();
            (name, phase[1].as_f64().unwrap())
        })
        .collect()
}

/// The names of a cell's phases, in order; a retry or a second compile shows as a name of its own.
fn phase_names(reply: &Message) -> Vec<String> {
    phases(reply).into_iter().map(|(name, _)| name).collect()
}

fn phase(reply: &Message, name: &str) -> Option<f64> {
    phases(reply)
        .into_iter()
        .find(|(phase, _)| phase == name)
        .map(|(_, millis)| millis)
}

fn ok(reply: &Message) {
    assert_eq!(reply.content["status"], "ok", "{:?}", reply.content);
}

/// The folder of the crate evcxr built for the last cell.
async fn last_compile_dir(kernel: &mut Kernel) -> PathBuf {
    let (reply, outputs) = kernel.execute(":last_compile_dir").await;
    ok(&reply);
    let shown = of_type(&outputs, "display_data")
        .into_iter()
        .chain(of_type(&outputs, "execute_result"))
        .find_map(|message| message.content["data"]["text/plain"].as_str())
        .unwrap_or_else(|| panic!("no folder shown: {outputs:?}"))
        .to_string();
    PathBuf::from(shown.trim())
}

/// The files below `dir` whose names start with `prefix` and end with `suffix`.
fn files_named(dir: &std::path::Path, prefix: &str, suffix: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if path.is_dir() {
            found.extend(files_named(&path, prefix, suffix));
        } else if name.starts_with(prefix) && name.ends_with(suffix) {
            found.push(path);
        }
    }
    found
}

/// The source evcxr generated for the last cell.
async fn last_source(kernel: &mut Kernel) -> String {
    let dir = last_compile_dir(kernel).await;
    std::fs::read_to_string(dir.join("src/lib.rs")).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_final_expression_is_compiled_once_and_shown_as_before() {
    let mut kernel = Kernel::start().await;
    let (reply, _) = kernel.execute("let x = 21;").await;
    ok(&reply);

    // No evcxr_display on i32: Debug formatting straight away, with no failed compile first.
    let (reply, outputs) = kernel.execute("x * 2").await;
    ok(&reply);
    assert_eq!(plain_result(&outputs), "42");
    let names = phase_names(&reply);
    assert!(!names.contains(&"Fallback".to_string()), "{names:?}");
    assert_eq!(names.iter().filter(|name| *name == "Rustc").count(), 1);

    let (reply, outputs) = kernel.execute("vec![1, 2, 3]").await;
    ok(&reply);
    assert_eq!(plain_result(&outputs), "[1, 2, 3]");

    // A type with evcxr_display still shows its rich form.
    let shout = "pub struct Shout(pub &'static str);\nimpl Shout {\n    pub fn evcxr_display(&self) {\n        println!(\"EVCXR_BEGIN_CONTENT text/html\\n<b>{}</b>\\nEVCXR_END_CONTENT\", self.0);\n    }\n}";
    let (reply, _) = kernel.execute(shout).await;
    ok(&reply);
    let (reply, outputs) = kernel.execute("Shout(\"hi\")").await;
    ok(&reply);
    let result = &of_type(&outputs, "execute_result")[0].content["data"];
    assert_eq!(result["text/html"], "<b>hi</b>");

    // Neither evcxr_display nor Debug: the same compile error as ever.
    let (reply, _) = kernel.execute("struct Opaque;\nOpaque").await;
    assert_eq!(reply.content["status"], "error");
    let message = reply.content["evalue"]
        .as_str()
        .unwrap_or_default()
        .to_string()
        + &reply.content["traceback"].to_string();
    assert!(message.contains("Debug"), "{message}");
    let (reply, outputs) = kernel.execute("x").await;
    ok(&reply);
    assert_eq!(plain_result(&outputs), "21", "the failed cell lost nothing");
}

#[tokio::test(flavor = "multi_thread")]
async fn cells_skip_cargo_until_a_path_dependency_changes() {
    let mut kernel = Kernel::start().await;
    let crate_dir = kernel.path("editable");
    let answer = |value: u32| format!("pub fn answer() -> u32 {{ {value} }}\n");
    write_crate(&crate_dir, "editable", "", &answer(42));
    let dep = format!(
        ":dep editable = {{ path = {:?} }}\neditable::answer()",
        crate_dir.display().to_string()
    );
    let (reply, outputs) = kernel.execute(&dep).await;
    ok(&reply);
    assert_eq!(plain_result(&outputs), "42");
    assert!(
        phase(&reply, "Cargo").unwrap() > 0.0,
        "{:?}",
        phases(&reply)
    );

    // Only the cell changed: cargo's last rustc command, run again, and nothing else.
    let (reply, outputs) = kernel.execute("editable::answer() + 1").await;
    ok(&reply);
    assert_eq!(plain_result(&outputs), "43");
    assert_eq!(phase(&reply, "Cargo"), Some(0.0), "{:?}", phases(&reply));

    // The learner edits the dependency: cargo runs, rebuilds it, and the cell sees the edit.
    std::thread::sleep(std::time::Duration::from_millis(20));
    std::fs::write(crate_dir.join("src/lib.rs"), answer(7)).unwrap();
    let (reply, outputs) = kernel.execute("editable::answer()").await;
    ok(&reply);
    assert_eq!(plain_result(&outputs), "7");
    assert!(
        phase(&reply, "Cargo").unwrap() > 0.0,
        "{:?}",
        phases(&reply)
    );

    let (reply, outputs) = kernel.execute("editable::answer() * 3").await;
    ok(&reply);
    assert_eq!(plain_result(&outputs), "21");
    assert_eq!(phase(&reply, "Cargo"), Some(0.0), "{:?}", phases(&reply));

    // A compile error found by the replayed rustc is reported as cargo's would be.
    let (reply, _) = kernel.execute("let y: u32 = \"seven\";").await;
    assert_eq!(reply.content["status"], "error");
    assert_eq!(
        reply.content["ename"], "CompileError",
        "{:?}",
        reply.content
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dependency_with_path_dependencies_of_its_own_always_goes_through_cargo() {
    let mut kernel = Kernel::start().await;
    let inner = kernel.path("inner");
    let outer = kernel.path("outer");
    write_crate(&inner, "inner", "", "pub fn value() -> u32 { 1 }\n");
    write_crate(
        &outer,
        "outer",
        &format!("inner = {{ path = {:?} }}\n", inner.display().to_string()),
        "pub fn answer() -> u32 { inner::value() * 10 }\n",
    );
    let dep = format!(
        ":dep outer = {{ path = {:?} }}\nouter::answer()",
        outer.display().to_string()
    );
    let (reply, outputs) = kernel.execute(&dep).await;
    ok(&reply);
    assert_eq!(plain_result(&outputs), "10");
    let (reply, outputs) = kernel.execute("outer::answer() + 1").await;
    ok(&reply);
    assert_eq!(plain_result(&outputs), "11");
    assert!(
        phase(&reply, "Cargo").unwrap() > 0.0,
        "{:?}",
        phases(&reply)
    );

    // An edit two path dependencies away is seen, because cargo looked.
    std::thread::sleep(std::time::Duration::from_millis(20));
    std::fs::write(inner.join("src/lib.rs"), "pub fn value() -> u32 { 2 }\n").unwrap();
    let (reply, outputs) = kernel.execute("outer::answer()").await;
    ok(&reply);
    assert_eq!(plain_result(&outputs), "20");
}

#[tokio::test(flavor = "multi_thread")]
async fn timing_shows_where_the_time_went() {
    let mut kernel = Kernel::start().await;
    let (reply, _) = kernel.execute(":timing").await;
    ok(&reply);
    let (reply, outputs) = kernel.execute("1 + 1").await;
    ok(&reply);
    let shown: Vec<&Value> = of_type(&outputs, "display_data")
        .into_iter()
        .map(|message| &message.content["data"]["text/plain"])
        .collect();
    let line = shown[0].as_str().unwrap();
    assert!(line.starts_with("Took "), "{line}");
    assert!(
        line.contains("analysis ") && line.contains("rustc "),
        "{line}"
    );
    let total: f64 = phases(&reply).iter().map(|(_, millis)| millis).sum();
    let took: f64 = line["Took ".len()..]
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        total <= took + 1.0,
        "phases {total} ms within the total {took} ms: {:?}, {line}",
        phases(&reply)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_cell_loads_only_the_variables_it_names() {
    let mut kernel = Kernel::start().await;
    let (reply, _) = kernel
        .execute("let apples = 3;\nlet pears = vec![1, 2];\nlet mut count = 0u64;")
        .await;
    ok(&reply);

    let (reply, outputs) = kernel.execute("apples * 2").await;
    ok(&reply);
    assert_eq!(plain_result(&outputs), "6");
    let source = last_source(&mut kernel).await;
    assert!(source.contains("stringify!(apples)"), "{source}");
    assert!(!source.contains("stringify!(pears)"), "{source}");
    assert!(!source.contains("stringify!(count)"), "{source}");

    // A name written inside a format string is a name the cell uses.
    let (reply, outputs) = kernel.execute("println!(\"{pears:?}\");").await;
    ok(&reply);
    assert_eq!(stream_text(&outputs, "stdout"), "[1, 2]\n");

    // Changes made inside macro calls are kept, like any other.
    let (reply, _) = kernel.execute("assert_eq!(count, 0);\ncount += 5;").await;
    ok(&reply);
    let (reply, outputs) = kernel.execute("count").await;
    ok(&reply);
    assert_eq!(plain_result(&outputs), "5");

    // A cell that panics, and one that fails to compile, leave the others' variables alone.
    let (reply, _) = kernel.execute("panic!(\"boom\");").await;
    assert_eq!(reply.content["status"], "error");
    let (reply, _) = kernel.execute("let broken: u8 = \"text\";").await;
    assert_eq!(reply.content["status"], "error");
    let (reply, outputs) = kernel.execute("(apples, pears.len(), count)").await;
    ok(&reply);
    assert_eq!(plain_result(&outputs), "(3, 2, 5)");

    // A variable moved by a cell that does not name the others is gone; the others stay.
    let (reply, _) = kernel.execute("let eaten = pears;").await;
    ok(&reply);
    let (reply, _) = kernel.execute("pears.len()").await;
    assert_eq!(reply.content["status"], "error");
    let (reply, outputs) = kernel.execute("(apples, eaten, count)").await;
    ok(&reply);
    assert_eq!(plain_result(&outputs), "(3, [1, 2], 5)");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_variable_store_is_a_crate_compiled_once() {
    let mut kernel = Kernel::start().await;
    let (reply, _) = kernel.execute("let first = String::from(\"kept\");").await;
    ok(&reply);
    let dir = last_compile_dir(&mut kernel).await;
    let source = std::fs::read_to_string(dir.join("src/lib.rs")).unwrap();
    assert!(
        source.contains("evcxr_internal_runtime::VariableStore"),
        "{source}"
    );
    assert!(!source.contains("struct VariableStore"), "{source}");
    let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
    assert!(
        manifest.contains("evcxr_internal_runtime = { path = \"evcxr_internal_runtime\" }"),
        "{manifest}"
    );
    let store_library = || {
        let rlibs = files_named(&dir.join("target"), "libevcxr_internal_runtime-", ".rlib");
        assert_eq!(rlibs.len(), 1, "{rlibs:?}");
        let modified = std::fs::metadata(&rlibs[0]).unwrap().modified().unwrap();
        (rlibs[0].clone(), modified)
    };
    let built = store_library();

    for (cell, shown) in [
        ("first.len()", "4"),
        ("let second = first.clone() + \"!\";\nsecond.len()", "5"),
        ("format!(\"{first} {second}\")", "\"kept kept!\""),
    ] {
        let (reply, outputs) = kernel.execute(cell).await;
        ok(&reply);
        assert_eq!(plain_result(&outputs), shown, "{cell}");
    }
    assert_eq!(store_library(), built, "the store was compiled again");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_question_mark_is_seen_before_compiling() {
    let mut kernel = Kernel::start().await;
    // A `?` inside a function the cell defines does not need the cell wrapped.
    let (reply, _) = kernel
        .execute("fn parse(text: &str) -> Result<u8, std::num::ParseIntError> {\n    Ok(text.parse::<u8>()?)\n}")
        .await;
    ok(&reply);

    // The first `?` in a cell's statements: one compile, no retry, the same answer.
    let (reply, outputs) = kernel.execute("let n = parse(\"41\")?;\nn + 1").await;
    ok(&reply);
    assert_eq!(plain_result(&outputs), "42");
    let names = phase_names(&reply);
    assert!(
        !names.contains(&"Allow question mark".to_string()),
        "{names:?}"
    );
    assert_eq!(names.iter().filter(|name| *name == "Rustc").count(), 1);

    // An error still ends the cell with its message, and the variables are kept.
    let (_, outputs) = kernel.execute("let m = parse(\"many\")?;").await;
    assert!(
        stream_text(&outputs, "stderr").contains("invalid digit"),
        "{outputs:?}"
    );
    let (reply, outputs) = kernel.execute("n").await;
    ok(&reply);
    assert_eq!(plain_result(&outputs), "41");
}
