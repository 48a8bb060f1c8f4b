// Alert rules of the performance monitor (SPEC 1.4): `name, metric_name, threshold,
// operator, duration_seconds` — a rule fires when its metric's latest value has met the
// condition continuously for the duration, and resolves when it stops meeting it. A
// metric with no fresh sample meets no condition (an idle cache is not "hit rate low").
//
// Plain values and pure functions: thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tierscope/base/clock.h"

namespace tierscope {

enum class AlertOperator { kGreater, kGreaterEqual, kLess, kLessEqual, kEqual, kNotEqual };

std::string_view to_string(AlertOperator op);  // ">", ">=", "<", "<=", "==", "!="
std::optional<AlertOperator> parse_alert_operator(std::string_view text);
bool alert_condition_met(AlertOperator op, double value, double threshold);

struct AlertRule {
  std::string name;         // unique among the monitor's rules
  std::string metric_name;  // a metric of the monitor (add_metric or built in)
  double threshold = 0;
  AlertOperator op = AlertOperator::kGreater;
  double duration_seconds = 0;  // how long the condition must hold before it fires
};

// Throws std::invalid_argument naming the problem (empty names, negative duration,
// a threshold that is not finite).
void validate(const AlertRule& rule);

// Defaults an operator wants on day one: hit rate low, disk near its limit, load errors,
// memory over budget.
std::vector<AlertRule> default_alert_rules();

enum class AlertState { kOk, kPending, kFiring };
std::string_view to_string(AlertState state);

struct AlertStatus {
  AlertRule rule;
  AlertState state = AlertState::kOk;
  std::optional<double> value;  // the metric's latest fresh value
  TimePoint since{};            // when the condition started to hold (pending/firing)
  TimePoint fired_at{};         // when it last fired
  uint64_t times_fired = 0;
};

struct AlertEvent {
  uint64_t sequence = 0;  // increasing; lets a viewer ask for events after the last seen
  TimePoint at{};
  std::string rule;
  bool firing = false;  // false: resolved
  double value = 0;
  std::string message;
};

}  // namespace tierscope
