// ZipfGenerator: draws ranks 1..n with P(k) proportional to 1/k^s, in O(1) time and
// memory per draw (rejection-inversion, W. Hörmann and G. Derflinger, 1996).
//
// Ownership: a plain value type; copy it freely.
// Thread safety: not thread-safe (it holds the random engine); give each thread its own.
#pragma once

#include <cstdint>
#include <random>
#include <stdexcept>

namespace tierscope {

class ZipfGenerator {
 public:
  // n >= 1 and exponent > 0 (exponent 0 would be uniform: use a uniform distribution);
  // throws std::invalid_argument otherwise.
  ZipfGenerator(uint64_t n, double exponent, uint64_t seed);

  // A rank in [1, n]; rank 1 is the most frequent.
  uint64_t next();

  uint64_t n() const { return n_; }
  double exponent() const { return s_; }
  // The exact probability of rank k, for checking the sampler.
  double probability(uint64_t k) const;

 private:
  double h(double x) const;
  double h_integral(double x) const;
  double h_integral_inverse(double x) const;

  uint64_t n_;
  double s_;
  double h_integral_x1_;
  double h_integral_n_;
  double threshold_;
  mutable double normaliser_ = 0;  // lazily computed generalised harmonic number H(n, s), for probability()
  std::mt19937_64 rng_;
  std::uniform_real_distribution<double> unit_{0.0, 1.0};
};

}  // namespace tierscope
