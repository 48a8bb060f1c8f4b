#include "tierscope/workload/zipf.h"

#include <cmath>

namespace tierscope {
namespace {

// log1p(x)/x, accurate near 0.
double helper1(double x) {
  if (std::abs(x) > 1e-8) return std::log1p(x) / x;
  return 1.0 - x * (0.5 - x * (1.0 / 3.0 - 0.25 * x));
}

// expm1(x)/x, accurate near 0.
double helper2(double x) {
  if (std::abs(x) > 1e-8) return std::expm1(x) / x;
  return 1.0 + x * 0.5 * (1.0 + x * (1.0 / 3.0) * (1.0 + 0.25 * x));
}

}  // namespace

ZipfGenerator::ZipfGenerator(uint64_t n, double exponent, uint64_t seed) : n_(n), s_(exponent), rng_(seed) {
  if (n == 0) throw std::invalid_argument("Zipf key count must be at least 1");
  if (!(exponent > 0.0) || !std::isfinite(exponent)) throw std::invalid_argument("Zipf exponent must be > 0");
  h_integral_x1_ = h_integral(1.5) - 1.0;
  h_integral_n_ = h_integral(static_cast<double>(n) + 0.5);
  threshold_ = 2.0 - h_integral_inverse(h_integral(2.5) - h(2.0));
}

double ZipfGenerator::h(double x) const { return std::exp(-s_ * std::log(x)); }

double ZipfGenerator::h_integral(double x) const {
  const double log_x = std::log(x);
  return helper2((1.0 - s_) * log_x) * log_x;
}

double ZipfGenerator::h_integral_inverse(double x) const {
  double t = x * (1.0 - s_);
  if (t < -1.0) t = -1.0;  // guards rounding at the edge of the domain
  return std::exp(helper1(t) * x);
}

uint64_t ZipfGenerator::next() {
  while (true) {
    const double u = h_integral_n_ + unit_(rng_) * (h_integral_x1_ - h_integral_n_);
    const double x = h_integral_inverse(u);
    double k = std::floor(x + 0.5);
    if (k < 1.0) k = 1.0;
    if (k > static_cast<double>(n_)) k = static_cast<double>(n_);
    if (k - x <= threshold_ || u >= h_integral(k + 0.5) - h(k)) return static_cast<uint64_t>(k);
  }
}

double ZipfGenerator::probability(uint64_t k) const {
  if (k < 1 || k > n_) return 0.0;
  if (normaliser_ == 0.0) {
    double sum = 0;
    for (uint64_t i = n_; i >= 1; --i) sum += std::pow(static_cast<double>(i), -s_);  // small terms first
    normaliser_ = sum;
  }
  return std::pow(static_cast<double>(k), -s_) / normaliser_;
}

}  // namespace tierscope
