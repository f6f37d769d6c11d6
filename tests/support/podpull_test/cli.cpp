// SPDX-License-Identifier: MIT OR Apache-2.0
#include "podpull_test/cli.hpp"

#include "podpull_test/fixture.hpp"

#include <catch2/catch_test_macros.hpp>

#include <cerrno>
#include <csignal>
#include <sys/prctl.h>
#include <sys/wait.h>

namespace podpull_test {

std::vector<std::string> cli_pull_argv(const std::string &cli, const Sandbox &box,
                                       const ServiceDirs &dirs, const std::string &image) {
    return {cli,
            "pull",
            "--podman",
            test_env().podman,
            "--root",
            dirs.root.string(),
            "--runroot",
            dirs.runroot.string(),
            "--storage-driver",
            dirs.driver,
            "--runtime-dir",
            box.runtime_dir().string(),
            "--env",
            "CONTAINERS_CONF=" + dirs.containers_conf.string(),
            "--tls-verify=false",
            "--json",
            image};
}

bool cli_is_copying(const std::string &json_output) {
    if (contains(json_output, "Copying blob")) {
        return true;
    }
    const std::string key = R"({"event":"progress","bytes":)";
    for (auto at = json_output.find(key); at != std::string::npos;
         at = json_output.find(key, at + 1)) {
        const char first =
            at + key.size() < json_output.size() ? json_output[at + key.size()] : '0';
        if (first >= '1' && first <= '9') {
            return true;
        }
    }
    return false;
}

CliHost::CliHost(const std::string &cli, const Sandbox &box, const ServiceDirs &dirs,
                 const std::string &image)
    : log_(box.dir() / "host.log") {
    REQUIRE(::prctl(PR_SET_CHILD_SUBREAPER, 1) == 0);
    host_ = spawn_process(cli_pull_argv(cli, box, dirs, image), {}, log_);
}

CliHost::CliHost(const Sandbox &box, const std::vector<std::string> &argv)
    : log_(box.dir() / "host.log") {
    REQUIRE(::prctl(PR_SET_CHILD_SUBREAPER, 1) == 0);
    host_ = spawn_process(argv, {}, log_);
}

CliHost::~CliHost() {
    if (host_.pid > 0) {
        ::kill(host_.pid, SIGKILL);
        stop_process(host_, 0);
    }
    ::prctl(PR_SET_CHILD_SUBREAPER, 0);
}

int CliHost::wait_until_copying() {
    int service = -1;
    const bool found = wait_for(
        [&] {
            const auto p = children_named(host_.pid, "podman");
            service = p.empty() ? -1 : p.front();
            return service > 0;
        },
        std::chrono::seconds(60));
    INFO("the host's output:\n" << output());
    REQUIRE(found);
    // A byte count, or "Copying blob" on a route without them.
    REQUIRE(wait_for([&] { return cli_is_copying(output()); }, std::chrono::seconds(60)));
    return service;
}

int CliHost::kill() {
    ::kill(host_.pid, SIGKILL);
    int status = 0;
    while (::waitpid(host_.pid, &status, 0) < 0 && errno == EINTR) {
    }
    host_.pid = -1;
    return status;
}

std::string CliHost::output() const {
    return read_file(log_);
}

} // namespace podpull_test
