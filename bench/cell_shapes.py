"""Small cell shapes timed on several kernels: the median wall time of each shape over N
repeats, on a warm kernel (after a first cell), through jupyter_client.

    python bench/cell_shapes.py KERNEL[,KERNEL...] REPEATS OUTPUT.json

KERNEL names installed kernelspecs (JUPYTER_PATH): say ours started without the `lessons`
prelude (LESSONS_KERNEL_LESSONS_DIR set empty in its kernelspec's env), another build of ours,
and evcxr_jupyter. Every cell must succeed."""
import sys, time, json, statistics
from jupyter_client.manager import start_new_kernel
SHAPES = [("let x = 1;", "let x = 1;"), ("x * 2", "x * 2"), ('println!("{}", x);', 'println!("{}", x);'),
          ("annotated let", "let v: Vec<u64> = (0..10).collect(); v.len()")]
kernels = sys.argv[1].split(","); repeats = int(sys.argv[2])
result = {}
for kernel in kernels:
    km, kc = start_new_kernel(kernel_name=kernel, startup_timeout=600)
    def run(code):
        t = time.time(); msg_id = kc.execute(code)
        reply = kc.get_shell_msg(timeout=600)
        while reply["parent_header"].get("msg_id") != msg_id: reply = kc.get_shell_msg(timeout=600)
        assert reply["content"]["status"] == "ok", reply["content"]
        return time.time() - t
    run("let warm = 0;")  # evcxr and ours: the first cell pays for start-up
    times = {name: [] for name, _ in SHAPES}
    for _ in range(repeats):
        for name, code in SHAPES:
            times[name].append(run(code))
    km.shutdown_kernel(now=True)
    result[kernel] = {name: round(statistics.median(v), 3) for name, v in times.items()}
    print(kernel, result[kernel], flush=True)
json.dump(result, open(sys.argv[3], "w"), indent=1)
