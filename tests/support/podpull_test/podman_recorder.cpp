// SPDX-License-Identifier: MIT OR Apache-2.0
#include "podpull_test/podman_recorder.hpp"

#include "podpull_test/fixture.hpp"

#include <algorithm>
#include <cstdlib>

namespace podpull_test {

namespace {

// Every value is written as hex: arguments may hold any byte but NUL.
constexpr const char *recorder_body = R"PY(
h = lambda b: (b if isinstance(b, bytes) else os.fsencode(b)).hex()
fds = sorted(int(n) for n in os.listdir("/proc/self/fd"))  # includes listdir's own fd
ppid = os.getppid()
try:
    parent = os.readlink("/proc/%d/exe" % ppid)
except OSError:
    parent = ""
lines = ["BEGIN", "ARGV0 " + h(sys.argv[0]), "PPID %d" % ppid, "PARENT_EXE " + h(parent)]
lines += ["ARG " + h(a) for a in sys.argv[1:]]
for fd in fds:
    try:
        target = os.readlink("/proc/self/fd/%d" % fd)
    except OSError:
        target = ""  # the directory fd listdir used, closed by now
    lines.append("FD %d %s" % (fd, h(target)))
with open("/proc/self/environ", "rb") as f:
    lines += ["ENV " + h(e) for e in f.read().split(b"\0") if e]
lines.append("END")
with open(REPORT, "a") as f:
    f.write("\n".join(lines) + "\n")
)PY";

std::string hex_encode(const std::string &text) {
    static const char digits[] = "0123456789abcdef";
    std::string hex;
    for (unsigned char c : text) {
        hex += {digits[c >> 4], digits[c & 15]};
    }
    return hex;
}

// A Python expression for the path `text`, whatever bytes it holds.
std::string python_path(const std::string &text) {
    return "os.fsdecode(bytes.fromhex('" + hex_encode(text) + "'))";
}

std::string hex_decode(const std::string &hex) {
    std::string out;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
        out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
    }
    return out;
}

} // namespace

PodmanRecorder write_podman_recorder(const fs::path &dir, ThenRun then) {
    PodmanRecorder r{dir / "podman-recorder", dir / "podman-recorder.report"};
    const std::string podman = test_env().podman;
    std::string text = "#!" + python3_interpreter() +
                       " -I\n# A recording podman_path of podpull's tests "
                       "(tests/support/podpull_test/podman_recorder.hpp).\nimport os, sys\n" +
                       "REPORT = " + python_path(r.report.string()) + "\n" + recorder_body;
    if (then == ThenRun::podman) {
        text += "PODMAN = " + python_path(podman) + "\nos.execv(PODMAN, [PODMAN] + sys.argv[1:])\n";
    } else {
        text += "sys.stderr.write('podman-recorder: refusing\\n')\nsys.exit(125)\n";
    }
    write_file(r.script, text, 0755);
    return r;
}

bool PodmanLaunch::has_args(const std::vector<std::string> &seq) const {
    return std::search(argv.begin(), argv.end(), seq.begin(), seq.end()) != argv.end();
}

bool PodmanLaunch::has_option(const std::string &name, const std::string &value) const {
    return has_args({name, value}) ||
           std::find(argv.begin(), argv.end(), name + "=" + value) != argv.end();
}

std::vector<PodmanLaunch> read_podman_launches(const fs::path &report) {
    std::vector<PodmanLaunch> out;
    PodmanLaunch cur;
    for (const auto &line : lines_of(fs::exists(report) ? read_file(report) : std::string())) {
        const auto sp = line.find(' ');
        const std::string tag = line.substr(0, sp);
        const std::string value = sp == std::string::npos ? "" : line.substr(sp + 1);
        if (tag == "BEGIN") {
            cur = PodmanLaunch{};
        } else if (tag == "END") {
            out.push_back(cur);
        } else if (tag == "ARGV0") {
            cur.argv0 = hex_decode(value);
        } else if (tag == "PPID") {
            cur.ppid = std::atoi(value.c_str());
        } else if (tag == "PARENT_EXE") {
            cur.parent_exe = hex_decode(value);
        } else if (tag == "ARG") {
            cur.argv.push_back(hex_decode(value));
        } else if (tag == "FD") {
            const auto fd_end = value.find(' ');
            cur.fds[std::atoi(value.c_str())] =
                fd_end == std::string::npos ? "" : hex_decode(value.substr(fd_end + 1));
        } else if (tag == "ENV") {
            cur.environ.push_back(hex_decode(value));
            const std::string key = "PODPULL_WRAPPER_MARK=";
            if (cur.environ.back().rfind(key, 0) == 0) {
                cur.mark = cur.environ.back().substr(key.size());
            }
        }
    }
    return out;
}

} // namespace podpull_test
