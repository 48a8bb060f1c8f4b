#include "tierscope/monitor/alert_rule.h"

#include <cmath>
#include <stdexcept>

namespace tierscope {

std::string_view to_string(AlertOperator op) {
  switch (op) {
    case AlertOperator::kGreater: return ">";
    case AlertOperator::kGreaterEqual: return ">=";
    case AlertOperator::kLess: return "<";
    case AlertOperator::kLessEqual: return "<=";
    case AlertOperator::kEqual: return "==";
    case AlertOperator::kNotEqual: return "!=";
  }
  return "?";
}

std::optional<AlertOperator> parse_alert_operator(std::string_view text) {
  for (AlertOperator op : {AlertOperator::kGreater, AlertOperator::kGreaterEqual, AlertOperator::kLess,
                           AlertOperator::kLessEqual, AlertOperator::kEqual, AlertOperator::kNotEqual}) {
    if (text == to_string(op)) return op;
  }
  if (text == "gt") return AlertOperator::kGreater;
  if (text == "ge") return AlertOperator::kGreaterEqual;
  if (text == "lt") return AlertOperator::kLess;
  if (text == "le") return AlertOperator::kLessEqual;
  if (text == "eq") return AlertOperator::kEqual;
  if (text == "ne") return AlertOperator::kNotEqual;
  return std::nullopt;
}

bool alert_condition_met(AlertOperator op, double value, double threshold) {
  switch (op) {
    case AlertOperator::kGreater: return value > threshold;
    case AlertOperator::kGreaterEqual: return value >= threshold;
    case AlertOperator::kLess: return value < threshold;
    case AlertOperator::kLessEqual: return value <= threshold;
    case AlertOperator::kEqual: return value == threshold;
    case AlertOperator::kNotEqual: return value != threshold;
  }
  return false;
}

void validate(const AlertRule& rule) {
  if (rule.name.empty()) throw std::invalid_argument("an alert rule needs a name");
  if (rule.metric_name.empty()) throw std::invalid_argument("alert rule '" + rule.name + "' names no metric");
  if (!std::isfinite(rule.threshold)) throw std::invalid_argument("alert rule '" + rule.name + "': threshold is not a number");
  if (!(rule.duration_seconds >= 0) || !std::isfinite(rule.duration_seconds)) {
    throw std::invalid_argument("alert rule '" + rule.name + "': duration_seconds must be 0 or more");
  }
}

std::vector<AlertRule> default_alert_rules() {
  return {
      {"Hit rate low", "cache.hit_rate_percent", 50, AlertOperator::kLess, 60},
      {"Disk near limit", "disk.usage_percent", 90, AlertOperator::kGreater, 30},
      {"Load errors", "cache.load_errors_per_s", 1, AlertOperator::kGreater, 10},
      {"Memory over budget", "memory.budget_percent", 100, AlertOperator::kGreater, 30},
  };
}

std::string_view to_string(AlertState state) {
  switch (state) {
    case AlertState::kOk: return "ok";
    case AlertState::kPending: return "pending";
    case AlertState::kFiring: return "firing";
  }
  return "?";
}

}  // namespace tierscope
