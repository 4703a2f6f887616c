//! The kernel over the wire, as a client sees it: signatures, choreography, errors, panics,
//! interrupts, streaming and display messages.

mod support;

use std::time::{Duration, Instant};

use serde_json::json;
use support::{Kernel, Message, of_type, plain_result, send_frames, stream_text, write_crate};

const SECOND: Duration = Duration::from_secs(1);

#[tokio::test(flavor = "multi_thread")]
async fn a_wrongly_signed_execute_request_is_never_run() {
    let mut kernel = Kernel::start().await;
    let marker = kernel.path("created-by-a-forged-request");
    let code = format!(
        "std::fs::write({:?}, \"pwned\").unwrap();",
        marker.display().to_string()
    );
    let content = json!({"code": code, "silent": false, "store_history": true,
        "user_expressions": {}, "allow_stdin": false, "stop_on_error": true});

    let (forged_id, parts) = kernel.message("execute_request", content.clone());
    let forged = kernel.frames("the-wrong-key", &parts);
    send_frames(&mut kernel.shell, forged).await;
    let (unsigned_id, parts) = kernel.message("execute_request", content);
    let mut unsigned = kernel.frames(support::KEY, &parts);
    unsigned[1] = bytes::Bytes::new();
    send_frames(&mut kernel.shell, unsigned).await;

    // A correctly signed cell after them runs, so the kernel has read both forged messages.
    let (reply, outputs) = kernel.execute("1 + 1").await;
    assert_eq!(reply.content["status"], "ok");
    assert_eq!(plain_result(&outputs), "2");
    assert!(!marker.exists(), "a forged request was executed");
    for id in [forged_id, unsigned_id] {
        assert!(outputs.iter().all(|m| m.parent_id != id));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_replayed_message_is_answered_once() {
    let mut kernel = Kernel::start().await;
    let (id, parts) = kernel.message("kernel_info_request", json!({}));
    let frames = kernel.frames(support::KEY, &parts);
    send_frames(&mut kernel.shell, frames.clone()).await;
    let first = kernel.shell_reply(&id, 10 * SECOND).await;
    assert_eq!(first.msg_type, "kernel_info_reply");
    send_frames(&mut kernel.shell, frames).await;
    let after = kernel.send_shell("kernel_info_request", json!({})).await;
    let next = kernel.shell_reply(&after, 10 * SECOND).await;
    assert_eq!(
        next.parent_id, after,
        "the replay got no reply of its own before this one"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn garbage_frames_are_survived() {
    let mut kernel = Kernel::start().await;
    let garbage: Vec<Vec<bytes::Bytes>> = vec![
        vec![bytes::Bytes::from_static(b"\x00\xff not a message")],
        vec![
            bytes::Bytes::from_static(b"<IDS|MSG>"),
            bytes::Bytes::from_static(b"sig"),
        ],
        vec![
            bytes::Bytes::from_static(b"<IDS|MSG>"),
            bytes::Bytes::from_static(b"00"),
            bytes::Bytes::from_static(b"{not json"),
            bytes::Bytes::from_static(b"{}"),
            bytes::Bytes::from_static(b"{}"),
            bytes::Bytes::from_static(b"{}"),
        ],
    ];
    for frames in garbage {
        send_frames(&mut kernel.shell, frames.clone()).await;
        send_frames(&mut kernel.control, frames).await;
    }
    // Correctly signed, but the content is not an execute_request's.
    let (id, parts) = kernel.message("execute_request", json!({"code": 42}));
    let frames = kernel.frames(support::KEY, &parts);
    send_frames(&mut kernel.shell, frames).await;
    let reply = kernel.shell_reply(&id, 10 * SECOND).await;
    assert_eq!(reply.msg_type, "execute_reply");
    assert_eq!(reply.content["status"], "error");
    assert_eq!(reply.content["ename"], "BadRequest");

    let id = kernel.send_control("kernel_info_request", json!({})).await;
    let info = kernel.control_reply(&id, 10 * SECOND).await;
    assert_eq!(info.content["language_info"]["name"], "rust");
    assert!(kernel.is_alive());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_panic_is_an_error_and_earlier_variables_survive() {
    let mut kernel = Kernel::start().await;
    let (reply, _) = kernel.execute("let answer = 41;").await;
    assert_eq!(reply.content["status"], "ok");

    let (reply, outputs) = kernel
        .execute("let doomed = 1;\npanic!(\"the simulation diverged\");")
        .await;
    assert_eq!(reply.content["status"], "error");
    assert_eq!(reply.content["ename"], "Panic");
    assert_eq!(reply.content["evalue"], "the simulation diverged");
    let errors = of_type(&outputs, "error");
    assert_eq!(errors.len(), 1);
    assert!(stream_text(&outputs, "stderr").contains("the simulation diverged"));
    // The traceback points into the cell's own source, not evcxr's generated code.
    assert_eq!(
        reply.content["traceback"].as_array().unwrap()[1..5],
        [
            " --> cell[2]:2:1",
            "  |",
            "2 | panic!(\"the simulation diverged\");",
            "  | ^"
        ]
    );

    let (reply, outputs) = kernel.execute("answer + 1").await;
    assert_eq!(reply.content["status"], "ok");
    assert_eq!(plain_result(&outputs), "42");
    let (reply, _) = kernel.execute("doomed").await;
    assert_eq!(
        reply.content["status"], "error",
        "the panicking cell's own variable is gone"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn interrupting_an_endless_loop_returns_control() {
    let mut kernel = Kernel::start().await;
    kernel
        .execute("fn kept() -> u32 { 7 }\nlet lost = 1;")
        .await;
    // An interrupt while no cell runs changes nothing.
    let idle_interrupt = kernel.send_control("interrupt_request", json!({})).await;
    let reply = kernel.control_reply(&idle_interrupt, 10 * SECOND).await;
    assert_eq!(reply.content["status"], "ok");
    let (reply, _) = kernel.execute("lost + 1").await;
    assert_eq!(
        reply.content["status"], "ok",
        "an idle interrupt kept the variables"
    );
    let id = kernel
        .send_shell(
            "execute_request",
            json!({"code": "println!(\"looping\");\nloop { std::hint::spin_loop(); }", "silent": false,
                   "store_history": true, "user_expressions": {}, "allow_stdin": false,
                   "stop_on_error": true}),
        )
        .await;
    // Wait until the loop is running (the cell compiled and says so), however long that takes.
    let outputs_started = Instant::now();
    loop {
        let message = tokio::time::timeout(120 * SECOND, support::recv(&mut kernel.iopub))
            .await
            .expect("the loop cell starts");
        if message.parent_id == id
            && message.msg_type == "stream"
            && message.content["text"] == "looping\n"
        {
            break;
        }
    }
    let interrupt = kernel.send_control("interrupt_request", json!({})).await;
    let interrupted_at = Instant::now();
    let interrupt_reply = kernel.control_reply(&interrupt, 10 * SECOND).await;
    assert_eq!(interrupt_reply.content["status"], "ok");
    let reply = kernel.shell_reply(&id, 30 * SECOND).await;
    let took = interrupted_at.elapsed();
    eprintln!(
        "interrupt: execute_reply {took:?} after interrupt_request ({:?} after start)",
        outputs_started.elapsed()
    );
    assert!(
        took < SECOND,
        "control came back {took:?} after the interrupt_request"
    );
    assert_eq!(reply.content["status"], "error");
    assert_eq!(reply.content["ename"], "Interrupted");
    let traceback = reply.content["traceback"].to_string();
    assert!(
        traceback.contains(
            "Lost: all variables. Kept: functions, types, `use` items and `:dep` dependencies"
        ),
        "the error says what survives: {traceback}"
    );
    kernel.iopub_until_idle(&id, 10 * SECOND).await;

    let (reply, outputs) = kernel.execute("kept()").await;
    assert_eq!(
        reply.content["status"], "ok",
        "functions survive an interrupt"
    );
    assert_eq!(plain_result(&outputs), "7");
    let (reply, _) = kernel.execute("lost").await;
    assert_eq!(
        reply.content["status"], "error",
        "variables do not survive an interrupt"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn output_streams_while_the_cell_runs() {
    let mut kernel = Kernel::start().await;
    let code = r#"
use std::io::Write;
print!("first, without a newline");
std::io::stdout().flush().unwrap();
std::thread::sleep(std::time::Duration::from_millis(1500));
println!(" then the rest");
eprintln!("and stderr");
"#;
    let id = kernel
        .send_shell(
            "execute_request",
            json!({"code": code, "silent": false, "store_history": true, "user_expressions": {},
                   "allow_stdin": false, "stop_on_error": true}),
        )
        .await;
    let started = Instant::now();
    let mut first_at = None;
    let mut messages = Vec::new();
    loop {
        let message =
            tokio::time::timeout(Duration::from_secs(120), support::recv(&mut kernel.iopub))
                .await
                .expect("iopub goes quiet");
        if message.parent_id != id {
            continue;
        }
        if message.msg_type == "stream" && first_at.is_none() {
            first_at = Some(started.elapsed());
        }
        let idle = message.msg_type == "status" && message.content["execution_state"] == "idle";
        messages.push(message);
        if idle {
            break;
        }
    }
    let idle_at = started.elapsed();
    let first_at = first_at.expect("some stream output");
    assert!(
        idle_at - first_at >= Duration::from_millis(1000),
        "the partial line arrived {first_at:?}, before the cell ended at {idle_at:?}"
    );
    let streams = of_type(&messages, "stream");
    assert_eq!(streams[0].content["text"], "first, without a newline");
    assert_eq!(
        stream_text(&messages, "stdout"),
        "first, without a newline then the rest\n"
    );
    assert_eq!(stream_text(&messages, "stderr"), "and stderr\n");
    assert_eq!(messages.first().unwrap().content["execution_state"], "busy");
}

#[tokio::test(flavor = "multi_thread")]
async fn displays_go_out_one_by_one_with_updates_and_clears() {
    let mut kernel = Kernel::start().await;
    let line = |msg_type: &str, content: serde_json::Value| {
        format!(
            "println!(\"{{}}\", {:?});\n",
            format!(
                "LESSONS_KERNEL_MESSAGE {}",
                json!({"msg_type": msg_type, "content": content})
            )
        )
    };
    let svg =
        |n: u32| format!("<svg xmlns=\"http://www.w3.org/2000/svg\"><text>plot {n}</text></svg>");
    let mut code = String::new();
    code += &line(
        "display_data",
        json!({"data": {"image/svg+xml": svg(1)}, "metadata": {}}),
    );
    code += &line(
        "display_data",
        json!({"data": {"image/svg+xml": svg(2)}, "metadata": {}, "transient": {"display_id": "progress"}}),
    );
    code += &line(
        "update_display_data",
        json!({"data": {"text/plain": "done"}, "metadata": {}, "transient": {"display_id": "progress"}}),
    );
    code += &line("clear_output", json!({"wait": true}));
    code += &line("execute_request", json!({"code": "not allowed"}));
    code += "3 * 3";
    let (reply, outputs) = kernel.execute(&code).await;
    assert_eq!(reply.content["status"], "ok");
    let kinds: Vec<&str> = outputs.iter().map(|m| m.msg_type.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "status",
            "execute_input",
            "display_data",
            "display_data",
            "update_display_data",
            "clear_output",
            "stream",
            "execute_result",
            "status"
        ]
    );
    assert_eq!(outputs[2].content["data"]["image/svg+xml"], svg(1));
    assert_eq!(outputs[3].content["transient"]["display_id"], "progress");
    assert_eq!(outputs[4].content["data"]["text/plain"], "done");
    assert_eq!(outputs[5].content["wait"], true);
    assert!(
        outputs[6].content["text"]
            .as_str()
            .unwrap()
            .contains("ignored a display message")
    );
    assert_eq!(outputs[7].content["data"]["text/plain"], "9");
}

#[tokio::test(flavor = "multi_thread")]
async fn compile_errors_are_one_error_showing_the_cell() {
    let mut kernel = Kernel::start().await;
    let code = "let a: u32 = \"text\";\nlet b = undefined_name + 1;";
    let (reply, outputs) = kernel.execute(code).await;
    assert_eq!(reply.content["status"], "error");
    assert_eq!(reply.content["ename"], "CompileError");
    assert!(
        reply.content["evalue"]
            .as_str()
            .unwrap()
            .starts_with("2 errors")
    );
    let errors = of_type(&outputs, "error");
    assert_eq!(errors.len(), 1);
    let traceback: Vec<String> = errors[0].content["traceback"]
        .as_array()
        .unwrap()
        .iter()
        .map(|line| line.as_str().unwrap().to_string())
        .collect();
    let text = traceback.join("\n");
    for expected in [
        "cell[1]",
        "let a: u32 = \"text\";",
        "undefined_name",
        "E0308",
        "E0425",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from:\n{text}"
        );
    }
    assert_eq!(
        reply.content["traceback"].as_array().unwrap().len(),
        traceback.len()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn execution_counts_history_silence_and_stop_on_error() {
    let mut kernel = Kernel::start().await;
    let (reply, outputs) = kernel.execute("let counted = 1;").await;
    assert_eq!(reply.content["execution_count"], 1);
    assert_eq!(
        of_type(&outputs, "execute_input")[0].content["execution_count"],
        1
    );

    let (reply, outputs) = kernel
        .execute_with("counted + 1", json!({"silent": true}))
        .await;
    assert_eq!(reply.content["status"], "ok");
    let kinds: Vec<&str> = outputs.iter().map(|m| m.msg_type.as_str()).collect();
    assert_eq!(
        kinds,
        ["status", "status"],
        "a silent cell publishes nothing but its status"
    );

    let (reply, _) = kernel
        .execute_with("counted + 2", json!({"store_history": false}))
        .await;
    assert_eq!(
        reply.content["execution_count"], 2,
        "not stored: the counter does not move"
    );
    let (reply, _) = kernel.execute("counted + 3").await;
    assert_eq!(reply.content["execution_count"], 2);

    // A failing cell with stop_on_error aborts the cell queued behind it.
    let (failing, queued) =
        fail_with_a_cell_queued_behind(&mut kernel, "let broken: u8 = \"no\";", "counted", true)
            .await;
    assert_eq!(failing.content["status"], "error");
    assert_eq!(queued.content["status"], "aborted");

    let id = kernel
        .send_shell(
            "history_request",
            json!({"hist_access_type": "tail", "n": 2, "output": true, "raw": true}),
        )
        .await;
    let history = kernel.shell_reply(&id, 10 * SECOND).await;
    assert_eq!(
        history.content["history"],
        json!([
            [1, 2, ["counted + 3", "4"]],
            [1, 3, ["let broken: u8 = \"no\";", ""]]
        ])
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn input_is_asked_on_stdin() {
    let mut kernel = Kernel::start().await;
    let code = "println!(\"EVCXR_INPUT_REQUEST:Your name? \");\nlet mut answer = String::new();\nstd::io::stdin().read_line(&mut answer).unwrap();\nprintln!(\"hello {}\", answer.trim());";
    let id = kernel
        .send_shell(
            "execute_request",
            json!({"code": code, "silent": false, "store_history": true, "user_expressions": {},
                   "allow_stdin": true, "stop_on_error": true}),
        )
        .await;
    let request = tokio::time::timeout(Duration::from_secs(120), support::recv(&mut kernel.stdin))
        .await
        .expect("an input_request on stdin");
    assert_eq!(request.msg_type, "input_request");
    assert_eq!(request.content["prompt"], "Your name? ");
    assert_eq!(request.parent_id, id);
    let (_, parts) = kernel.message("input_reply", json!({"value": "Ada", "status": "ok"}));
    let frames = kernel.frames(support::KEY, &parts);
    send_frames(&mut kernel.stdin, frames).await;
    let reply = kernel.shell_reply(&id, 60 * SECOND).await;
    assert_eq!(reply.content["status"], "ok");
    let outputs = kernel.iopub_until_idle(&id, 10 * SECOND).await;
    assert_eq!(stream_text(&outputs, "stdout"), "hello Ada\n");
}

#[tokio::test(flavor = "multi_thread")]
async fn shutdown_replies_and_exits() {
    shut_down_and_expect_exit(false).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn shutdown_for_a_restart_says_so_and_exits() {
    // The client starts the new kernel; this one only has to say yes and go.
    shut_down_and_expect_exit(true).await;
}

async fn shut_down_and_expect_exit(restart: bool) {
    let mut kernel = Kernel::start().await;
    let id = kernel
        .send_control("shutdown_request", json!({"restart": restart}))
        .await;
    let reply = kernel.control_reply(&id, 10 * SECOND).await;
    assert_eq!(reply.msg_type, "shutdown_reply");
    assert_eq!(reply.content["status"], "ok");
    assert_eq!(reply.content["restart"], restart);
    let deadline = Instant::now() + 10 * SECOND;
    while kernel.is_alive() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(!kernel.is_alive(), "the kernel process exited");
}

#[tokio::test(flavor = "multi_thread")]
async fn small_requests_get_their_replies() {
    use zeromq::{ReqSocket, Socket, SocketRecv, SocketSend, ZmqMessage};
    let mut kernel = Kernel::start().await;

    let mut heartbeat = ReqSocket::new();
    let endpoint = format!("tcp://127.0.0.1:{}", kernel.ports.heartbeat);
    heartbeat.connect(&endpoint).await.unwrap();
    heartbeat
        .send(ZmqMessage::from(b"ping 7f3a".to_vec()))
        .await
        .unwrap();
    let echo = tokio::time::timeout(10 * SECOND, heartbeat.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        echo.into_vec(),
        vec![bytes::Bytes::from_static(b"ping 7f3a")]
    );

    let id = kernel.send_shell("comm_info_request", json!({})).await;
    let reply = kernel.shell_reply(&id, 10 * SECOND).await;
    assert_eq!(reply.msg_type, "comm_info_reply");
    assert_eq!(reply.content, json!({"status": "ok", "comms": {}}));

    let id = kernel
        .send_shell("is_complete_request", json!({"code": "fn f() {"}))
        .await;
    let reply = kernel.shell_reply(&id, 10 * SECOND).await;
    assert_eq!(
        reply.content,
        json!({"status": "incomplete", "indent": "    "})
    );

    let id = kernel.send_control("kernel_info_request", json!({})).await;
    let reply = kernel.control_reply(&id, 10 * SECOND).await;
    assert_eq!(reply.content["protocol_version"], "5.3");
    assert_eq!(reply.content["language_info"]["pygments_lexer"], "rust");
    assert_ne!(
        reply.header["username"], "test",
        "kernel messages carry the kernel's header"
    );

    let id = kernel
        .send_shell("debug_request", json!({"command": "initialize"}))
        .await;
    let reply = kernel.shell_reply(&id, 10 * SECOND).await;
    assert_eq!(reply.msg_type, "debug_reply");
    assert_eq!(reply.content["status"], "error");
    assert_eq!(reply.content["ename"], "NotImplemented");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_cell_that_ends_the_process_is_reported_and_the_kernel_goes_on() {
    let mut kernel = Kernel::start().await;
    kernel
        .execute("fn still_here() -> &'static str { \"yes\" }")
        .await;
    let (reply, outputs) = kernel.execute("std::process::exit(3);").await;
    assert_eq!(reply.content["status"], "error");
    assert_eq!(reply.content["ename"], "ProcessEnded");
    assert!(
        reply.content["evalue"]
            .as_str()
            .unwrap()
            .contains("exit status: 3")
    );
    assert_eq!(of_type(&outputs, "error").len(), 1);
    let (reply, outputs) = kernel.execute("still_here()").await;
    assert_eq!(reply.content["status"], "ok");
    assert_eq!(plain_result(&outputs), "\"yes\"");
}

#[tokio::test(flavor = "multi_thread")]
async fn compiling_a_dependency_shows_progress_in_the_cell() {
    let mut kernel = Kernel::start().await;
    let crate_dir = kernel.path("tinydep");
    write_crate(&crate_dir, "tinydep", "", "pub fn answer() -> u32 { 42 }\n");
    let code = format!(
        ":dep tinydep = {{ path = {:?} }}\ntinydep::answer()",
        crate_dir.display().to_string()
    );
    let (reply, outputs) = kernel.execute(&code).await;
    assert_eq!(reply.content["status"], "ok");
    let progress = of_type(&outputs, "display_data");
    assert_eq!(progress.len(), 1);
    let text = progress[0].content["data"]["text/plain"].as_str().unwrap();
    assert_eq!(text, "Compiling tinydep v0.1.0 (crate 1 of this build)");
    let display_id = &progress[0].content["transient"]["display_id"];
    let done = of_type(&outputs, "update_display_data");
    assert_eq!(
        &done.last().unwrap().content["transient"]["display_id"],
        display_id
    );
    let summary = done.last().unwrap().content["data"]["text/plain"]
        .as_str()
        .unwrap();
    assert!(summary.starts_with("Compiled 1 crates in "), "{summary}");
    assert!(summary.ends_with(": tinydep v0.1.0"), "{summary}");
    assert_eq!(plain_result(&outputs), "42");
}

#[tokio::test(flavor = "multi_thread")]
async fn lessons_is_ready_without_a_dep_line_and_the_dep_line_costs_nothing() {
    let lessons = concat!(env!("CARGO_MANIFEST_DIR"), "/../lessons");
    let mut kernel = Kernel::start_with(&[("LESSONS_KERNEL_LESSONS_DIR", lessons)]).await;
    let (reply, outputs) = kernel
        .execute("let mut clock = lessons::clocks::LamportClock::new();\nclock.tick()")
        .await;
    assert_eq!(reply.content["status"], "ok", "{:?}", reply.content);
    assert_eq!(plain_result(&outputs), "1");
    // The notebooks' own line, relative to the notebooks directory, names the same crate.
    let relative = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../notebooks/../lessons");
    let started = Instant::now();
    let (reply, outputs) = kernel
        .execute(&format!(
            ":dep lessons = {{ path = {:?} }}",
            relative.display().to_string()
        ))
        .await;
    assert_eq!(reply.content["status"], "ok");
    assert!(
        of_type(&outputs, "display_data").is_empty(),
        "nothing was compiled"
    );
    eprintln!(
        "the notebooks' :dep lessons line took {:?}",
        started.elapsed()
    );
    let (reply, _) = kernel.execute("clock.tick()").await;
    assert_eq!(
        reply.content["status"], "ok",
        "the dep line kept the variables"
    );
}

/// The addresses, as /proc/net/tcp{,6} writes them, on which some socket listens on `port`.
fn listening_addresses(port: u16) -> Vec<String> {
    const LISTEN: &str = "0A";
    let port = format!("{port:04X}");
    let mut addresses = Vec::new();
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        let text = std::fs::read_to_string(table).unwrap();
        for line in text.lines().skip(1) {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let (address, local_port) = fields[1].split_once(':').unwrap();
            if local_port == port && fields[3] == LISTEN {
                addresses.push(address.to_string());
            }
        }
    }
    addresses
}

#[tokio::test(flavor = "multi_thread")]
async fn sockets_listen_only_on_the_connection_file_address() {
    let kernel = Kernel::start().await;
    let loopback = "0100007F";
    for port in kernel.ports.all() {
        assert_eq!(
            listening_addresses(port),
            [loopback],
            "port {port} listens on 127.0.0.1 only, not on 0.0.0.0 or ::"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrongly_signed_message_is_logged_without_the_key() {
    let mut kernel = Kernel::start_logging(&[
        ("LESSONS_KERNEL_LESSONS_DIR", ""),
        ("LESSONS_KERNEL_LOG", "trace"),
    ])
    .await;
    let content = json!({"code": "1 + 1", "silent": false, "store_history": true,
        "user_expressions": {}, "allow_stdin": false, "stop_on_error": true});
    let (forged_id, parts) = kernel.message("execute_request", content);
    let forged = kernel.frames("the-wrong-key", &parts);
    send_frames(&mut kernel.shell, forged).await;

    let (reply, outputs) = kernel.execute("2 + 2").await;
    assert_eq!(reply.content["status"], "ok");
    assert_eq!(plain_result(&outputs), "4");
    assert!(outputs.iter().all(|m| m.parent_id != forged_id));
    let log = kernel.log();
    assert!(
        log.contains("dropped a message on shell: signature does not match"),
        "the forged message was logged:\n{log}"
    );
    assert!(
        !log.contains(support::KEY),
        "the connection key is in the log:\n{log}"
    );
}

/// Sends a failing cell and a cell behind it before either runs: the replies to both.
async fn fail_with_a_cell_queued_behind(
    kernel: &mut Kernel,
    failing: &str,
    queued: &str,
    stop_on_error: bool,
) -> (Message, Message) {
    let request = |code: &str| {
        json!({"code": code, "silent": false, "store_history": true, "user_expressions": {},
               "allow_stdin": false, "stop_on_error": stop_on_error})
    };
    let failing_id = kernel.send_shell("execute_request", request(failing)).await;
    let queued_id = kernel.send_shell("execute_request", request(queued)).await;
    let failing_reply = kernel.shell_reply(&failing_id, 120 * SECOND).await;
    let queued_reply = kernel.shell_reply(&queued_id, 120 * SECOND).await;
    (failing_reply, queued_reply)
}

#[tokio::test(flavor = "multi_thread")]
async fn without_stop_on_error_the_queued_cell_still_runs() {
    let mut kernel = Kernel::start().await;
    let (reply, _) = kernel.execute("let counted = 1;").await;
    assert_eq!(reply.content["status"], "ok");
    let (failing, queued) = fail_with_a_cell_queued_behind(
        &mut kernel,
        "let broken: u8 = \"no\";",
        "counted + 1",
        false,
    )
    .await;
    assert_eq!(failing.content["status"], "error");
    assert_eq!(failing.content["ename"], "CompileError");
    assert_eq!(queued.content["status"], "ok");
    let outputs = kernel
        .iopub_until_idle(&queued.parent_id, 10 * SECOND)
        .await;
    assert_eq!(plain_result(&outputs), "2");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_variable_survives_a_cell_that_does_not_compile() {
    let mut kernel = Kernel::start().await;
    let (reply, _) = kernel
        .execute("let kept = String::from(\"still here\");")
        .await;
    assert_eq!(reply.content["status"], "ok");
    let (reply, _) = kernel
        .execute("let kept_too = kept.len();\nlet wrong: u32 = \"text\";")
        .await;
    assert_eq!(reply.content["ename"], "CompileError");
    let (reply, outputs) = kernel.execute("kept").await;
    assert_eq!(reply.content["status"], "ok");
    assert_eq!(plain_result(&outputs), "\"still here\"");
}

#[tokio::test(flavor = "multi_thread")]
async fn input_without_stdin_allowed_is_empty_and_said_on_stderr() {
    let mut kernel = Kernel::start().await;
    let code = "println!(\"EVCXR_INPUT_REQUEST:Your name? \");\nlet mut answer = String::new();\nstd::io::stdin().read_line(&mut answer).unwrap();\nprintln!(\"hello [{}]\", answer.trim());";
    let (reply, outputs) = kernel
        .execute_with(code, json!({"allow_stdin": false}))
        .await;
    assert_eq!(reply.content["status"], "ok");
    let asked = tokio::time::timeout(SECOND, support::recv(&mut kernel.stdin)).await;
    assert!(
        asked.is_err(),
        "nothing is asked on stdin, yet got {asked:?}"
    );
    assert_eq!(
        stream_text(&outputs, "stderr"),
        "input was requested, but this frontend does not allow stdin; using \"\"\n"
    );
    assert_eq!(stream_text(&outputs, "stdout"), "hello []\n");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_evcxr_error_is_a_reply_and_the_kernel_goes_on() {
    let mut kernel = Kernel::start().await;
    // A failing shell line is evcxr's own error, not the compiler's.
    let (reply, outputs) = kernel.execute("!echo no such tool >&2; exit 3").await;
    assert_eq!(reply.content["status"], "error");
    assert_eq!(reply.content["ename"], "EvcxrError");
    assert_eq!(
        reply.content["evalue"],
        "Shell command failed with exit code 3: no such tool\n"
    );
    assert_eq!(of_type(&outputs, "error").len(), 1);
    let (reply, outputs) = kernel.execute("1 + 1").await;
    assert_eq!(reply.content["status"], "ok");
    assert_eq!(plain_result(&outputs), "2");
}
