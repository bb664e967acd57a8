#include "cli_common.h"

#include "embedscope/engine/error.h"

#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <unistd.h>

namespace embedscope::cli {
namespace {

JobContext* g_activeContext = nullptr;
int g_exitCode = 0;

void onSignal(int) {
    // Only an atomic store: async-signal-safe.
    if (g_activeContext)
        g_activeContext->requestCancel();
}

std::string formatSeconds(double s) {
    if (s < 0)
        return "?";
    const int total = static_cast<int>(s + 0.5);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%d:%02d", total / 60, total % 60);
    return buf;
}

} // namespace

JobContext& cliJobContext(const CommonOptions& options) {
    static JobContext context;
    g_activeContext = &context;
    std::signal(SIGINT, onSignal);
    std::signal(SIGTERM, onSignal);
    if (!options.quiet) {
        const bool tty = isatty(STDERR_FILENO) != 0;
        auto last = std::make_shared<std::chrono::steady_clock::time_point>();
        context.setProgressCallback([tty, last](const Progress& p) {
            const auto now = std::chrono::steady_clock::now();
            if (p.fraction < 1.0 && now - *last < std::chrono::milliseconds(tty ? 200 : 2000))
                return;
            *last = now;
            std::cerr << (tty ? "\r" : "") << "[" << static_cast<int>(p.fraction * 100.0 + 0.5)
                      << "%] " << p.stage;
            if (p.etaSeconds >= 0)
                std::cerr << "  ETA " << formatSeconds(p.etaSeconds);
            std::cerr << (tty ? "\033[K" : "\n") << std::flush;
            if (tty && p.fraction >= 1.0)
                std::cerr << "\n";
        });
    }
    return context;
}

void printResult(const CommonOptions& options, const nlohmann::json& result,
                 const std::string& humanText) {
    if (options.json)
        std::cout << result.dump() << std::endl;
    else
        std::cout << humanText << std::flush;
}

int runCommand(const std::string& command, const std::function<int()>& body) {
    try {
        return body();
    } catch (const CancelledError&) {
        std::cerr << "embedscope-cli " << command << ": cancelled" << std::endl;
        return 130;
    } catch (const Error& e) {
        std::cerr << "embedscope-cli " << command << ": error: " << e.what() << std::endl;
        return 1;
    } catch (const std::exception& e) {
        std::cerr << "embedscope-cli " << command << ": unexpected error: " << e.what()
                  << std::endl;
        return 1;
    }
}

void addCommonOptions(CLI::App* app, CommonOptions& options) {
    app->add_flag("--json", options.json, "Print one JSON object as the last stdout line");
    app->add_flag("--quiet,-q", options.quiet, "No progress on stderr");
}

int exitCode() {
    return g_exitCode;
}
void setExitCode(int code) {
    g_exitCode = code;
}

std::string readTextFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw IoError(path + ": cannot open for reading");
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad())
        throw IoError(path + ": read error");
    return text.str();
}

} // namespace embedscope::cli
