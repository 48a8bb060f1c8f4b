// Headless mode: runs the engine (and the demo workload) without a window and prints a
// one-line live summary to stdout each second until the duration ends or SIGINT/SIGTERM.
#pragma once

#include <memory>
#include <string>

#include "tierscope/engine.h"
#include "tierscope/workload/workload.h"

namespace tierscope::app {

// One summary line from two snapshots taken `seconds` apart at `elapsed` since start;
// entries and bytes are those of namespace `ns`.
std::string summaryLine(const TieredStats& before, const TieredStats& after, double seconds, double elapsed,
                        const std::string& ns);

// Blocks until done; returns the process exit code.
int runHeadless(Engine& engine, WorkloadDriver* workload, double duration_seconds);

}  // namespace tierscope::app
