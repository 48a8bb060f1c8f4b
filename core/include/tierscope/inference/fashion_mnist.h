// Fashion-MNIST: readers for the IDX files Debian's dataset-fashion-mnist ships
// (/usr/share/datasets/fashion-mnist, gzip-compressed), the class names, and how the
// classes map to try-on categories.
//
// Plain functions and values: no shared state, thread-safe.
// Errors: a missing, corrupt or inconsistent file throws std::runtime_error naming it.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace tierscope {

inline constexpr const char* kFashionMnistDir = "/usr/share/datasets/fashion-mnist";

struct IdxImages {
  size_t count = 0;
  size_t rows = 0;
  size_t cols = 0;
  std::vector<uint8_t> pixels;  // count * rows * cols, row-major, 0 = background (black)
};

// Reads an idx3-ubyte file (plain or .gz).
IdxImages read_idx_images(const std::filesystem::path& path);
// Reads an idx1-ubyte file (plain or .gz).
std::vector<uint8_t> read_idx_labels(const std::filesystem::path& path);

// The ten classes in label order.
inline constexpr std::array<std::string_view, 10> kFashionMnistClasses = {
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"};

// Try-on category of a class: "upper_body" (T-shirt/top, Pullover, Coat, Shirt),
// "lower_body" (Trouser), "dresses" (Dress), or "none" (shoes, bags).
std::string_view tryon_category(size_t class_index);

}  // namespace tierscope
