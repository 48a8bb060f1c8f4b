// tierscope-train: trains the garment classifier on Fashion-MNIST with libtorch's C++
// frontend (fixed seed), then exports it as a TorchScript module (batch-norm folded into
// the convolutions) plus a JSON sidecar: classes, input size, normalisation, test
// accuracy and the command that made it.
//
//   tierscope-train --out resources/models/fashion_cnn [--epochs 15] [--threads 2]
#include <torch/script.h>
#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>

#include "tierscope/inference/fashion_mnist.h"
#include "tierscope/base/sha256.h"
#include "tierscope/base/version.h"

namespace {

constexpr double kMean = 0.2860;  // Fashion-MNIST training-set pixel mean and std (0..1 scale)
constexpr double kStd = 0.3530;

struct ConvBn {
  torch::nn::Conv2d conv{nullptr};
  torch::nn::BatchNorm2d bn{nullptr};
};

// conv-bn-relu x2, pool; conv-bn-relu x2, pool; conv-bn-relu, pool; fc 128; fc 10.
struct NetImpl : torch::nn::Module {
  NetImpl() {
    const int channels[][2] = {{1, 32}, {32, 32}, {32, 64}, {64, 64}, {64, 128}};
    for (int i = 0; i < 5; ++i) {
      ConvBn c;
      c.conv = register_module("conv" + std::to_string(i),
                               torch::nn::Conv2d(torch::nn::Conv2dOptions(channels[i][0], channels[i][1], 3).padding(1).bias(false)));
      c.bn = register_module("bn" + std::to_string(i), torch::nn::BatchNorm2d(channels[i][1]));
      blocks.push_back(c);
    }
    fc1 = register_module("fc1", torch::nn::Linear(128 * 3 * 3, 128));
    fc2 = register_module("fc2", torch::nn::Linear(128, 10));
    dropout = register_module("dropout", torch::nn::Dropout(0.3));
  }

  torch::Tensor forward(torch::Tensor x) {
    for (int i = 0; i < 5; ++i) {
      x = torch::relu(blocks[i].bn(blocks[i].conv(x)));
      if (i == 1 || i == 3 || i == 4) x = torch::max_pool2d(x, 2);
    }
    x = x.flatten(1);
    x = dropout(torch::relu(fc1(dropout(x))));
    return fc2(x);
  }

  std::vector<ConvBn> blocks;
  torch::nn::Linear fc1{nullptr}, fc2{nullptr};
  torch::nn::Dropout dropout{nullptr};
};
TORCH_MODULE(Net);

torch::Tensor to_tensor(const tierscope::IdxImages& images) {
  auto t = torch::from_blob(const_cast<uint8_t*>(images.pixels.data()),
                            {static_cast<int64_t>(images.count), 1, static_cast<int64_t>(images.rows),
                             static_cast<int64_t>(images.cols)},
                            torch::kUInt8)
               .to(torch::kFloat32)
               .div_(255.0);
  return t.sub_(kMean).div_(kStd);
}

double accuracy(Net& net, const torch::Tensor& x, const torch::Tensor& y) {
  torch::NoGradGuard no_grad;
  net->eval();
  int64_t correct = 0;
  for (int64_t i = 0; i < x.size(0); i += 1000) {
    auto logits = net->forward(x.slice(0, i, std::min<int64_t>(i + 1000, x.size(0))));
    correct += logits.argmax(1).eq(y.slice(0, i, std::min<int64_t>(i + 1000, x.size(0)))).sum().item<int64_t>();
  }
  return double(correct) / double(x.size(0));
}

// The exported module: inference only, batch-norm folded into conv weights and biases.
torch::jit::Module export_module(Net& net) {
  torch::NoGradGuard no_grad;
  torch::jit::Module m("TierscopeFashionCnn");
  for (int i = 0; i < 5; ++i) {
    auto& b = net->blocks[i];
    auto scale = b.bn->weight / torch::sqrt(b.bn->running_var + b.bn->options.eps());
    auto w = b.conv->weight * scale.view({-1, 1, 1, 1});
    auto bias = b.bn->bias - b.bn->running_mean * scale;
    m.register_parameter("c" + std::to_string(i) + "w", w.contiguous().clone(), false);
    m.register_parameter("c" + std::to_string(i) + "b", bias.contiguous().clone(), false);
  }
  m.register_parameter("f1w", net->fc1->weight.clone(), false);
  m.register_parameter("f1b", net->fc1->bias.clone(), false);
  m.register_parameter("f2w", net->fc2->weight.clone(), false);
  m.register_parameter("f2b", net->fc2->bias.clone(), false);
  // Without a `training` attribute, eval() and freezing silently do nothing.
  m.register_attribute("training", c10::BoolType::get(), false);
  m.define(R"JIT(
def forward(self, x):
    x = torch.relu(torch.conv2d(x, self.c0w, self.c0b, [1, 1], [1, 1]))
    x = torch.relu(torch.conv2d(x, self.c1w, self.c1b, [1, 1], [1, 1]))
    x = torch.max_pool2d(x, [2, 2])
    x = torch.relu(torch.conv2d(x, self.c2w, self.c2b, [1, 1], [1, 1]))
    x = torch.relu(torch.conv2d(x, self.c3w, self.c3b, [1, 1], [1, 1]))
    x = torch.max_pool2d(x, [2, 2])
    x = torch.relu(torch.conv2d(x, self.c4w, self.c4b, [1, 1], [1, 1]))
    x = torch.max_pool2d(x, [2, 2])
    x = torch.flatten(x, 1)
    x = torch.relu(torch.linear(x, self.f1w, self.f1b))
    return torch.linear(x, self.f2w, self.f2b)
)JIT");
  m.eval();
  return m;
}

}  // namespace

int main(int argc, char** argv) {
  std::string out, data_dir = tierscope::kFashionMnistDir;
  int epochs = 15, threads = 2;
  uint64_t seed = 20261122;
  std::string command = "tierscope-train";
  for (int i = 1; i < argc; ++i) command += std::string(" ") + argv[i];
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "tierscope-train: %s needs a value\n", arg.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "--out") out = value();
    else if (arg == "--data") data_dir = value();
    else if (arg == "--epochs") epochs = std::stoi(value());
    else if (arg == "--threads") threads = std::stoi(value());
    else if (arg == "--seed") seed = std::stoull(value());
    else if (arg == "--help") {
      std::puts("usage: tierscope-train --out PREFIX [--epochs N] [--threads N] [--seed N] [--data DIR]\n"
                "writes PREFIX.pt (TorchScript) and PREFIX.json (sidecar)");
      return 0;
    } else {
      std::fprintf(stderr, "tierscope-train: unknown option %s\n", arg.c_str());
      return 2;
    }
  }
  if (out.empty()) {
    std::fprintf(stderr, "tierscope-train: --out PREFIX is required\n");
    return 2;
  }
  torch::manual_seed(seed);
  torch::set_num_threads(threads);

  const std::filesystem::path dir(data_dir);
  std::printf("loading Fashion-MNIST from %s\n", data_dir.c_str());
  const auto train_images = tierscope::read_idx_images(dir / "train-images-idx3-ubyte.gz");
  const auto train_labels = tierscope::read_idx_labels(dir / "train-labels-idx1-ubyte.gz");
  const auto test_images = tierscope::read_idx_images(dir / "t10k-images-idx3-ubyte.gz");
  const auto test_labels = tierscope::read_idx_labels(dir / "t10k-labels-idx1-ubyte.gz");
  const torch::Tensor x_train = to_tensor(train_images);
  const torch::Tensor y_train = torch::tensor(std::vector<int64_t>(train_labels.begin(), train_labels.end()));
  const torch::Tensor x_test = to_tensor(test_images);
  const torch::Tensor y_test = torch::tensor(std::vector<int64_t>(test_labels.begin(), test_labels.end()));

  Net net;
  torch::optim::AdamW optimizer(net->parameters(), torch::optim::AdamWOptions(2e-3).weight_decay(1e-4));
  constexpr int64_t kBatch = 128;
  const int64_t n = x_train.size(0);
  const int64_t steps_per_epoch = (n + kBatch - 1) / kBatch;
  const int64_t total_steps = steps_per_epoch * epochs;
  int64_t step = 0;
  for (int epoch = 1; epoch <= epochs; ++epoch) {
    const auto start = std::chrono::steady_clock::now();
    net->train();
    const torch::Tensor order = torch::randperm(n, torch::kLong);
    double loss_sum = 0;
    for (int64_t b = 0; b < n; b += kBatch) {
      // One-cycle cosine schedule: warm up over the first epoch, then decay to zero.
      const double progress = double(step) / double(total_steps);
      const double lr = step < steps_per_epoch ? 2e-3 * double(step + 1) / double(steps_per_epoch)
                                               : 1e-3 * (1 + std::cos(M_PI * progress));
      for (auto& group : optimizer.param_groups()) static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr);
      const torch::Tensor idx = order.slice(0, b, std::min(b + kBatch, n));
      torch::Tensor x = x_train.index_select(0, idx);
      const torch::Tensor y = y_train.index_select(0, idx);
      // Augmentation: mirror half the batch (garments are left-right symmetric).
      const torch::Tensor flip = torch::rand({x.size(0)}) < 0.5;
      x = torch::where(flip.view({-1, 1, 1, 1}), x.flip({3}), x);
      optimizer.zero_grad();
      const torch::Tensor loss = torch::nn::functional::cross_entropy(
          net->forward(x), y, torch::nn::functional::CrossEntropyFuncOptions().label_smoothing(0.05));
      loss.backward();
      optimizer.step();
      loss_sum += loss.item<double>() * double(x.size(0));
      ++step;
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("epoch %2d/%d  loss %.4f  test accuracy %.2f %%  (%.0f s)\n", epoch, epochs, loss_sum / double(n),
                100.0 * accuracy(net, x_test, y_test), seconds);
    std::fflush(stdout);
  }

  const double test_accuracy = accuracy(net, x_test, y_test);
  torch::jit::Module exported = export_module(net);
  const std::string model_path = out + ".pt";
  exported.save(model_path);
  // Check the file we ship, not the network in memory.
  torch::jit::Module reloaded = torch::jit::load(model_path);
  reloaded.eval();
  int64_t correct = 0;
  {
    torch::NoGradGuard no_grad;
    for (int64_t i = 0; i < x_test.size(0); i += 1000) {
      auto logits = reloaded.forward({x_test.slice(0, i, i + 1000)}).toTensor();
      correct += logits.argmax(1).eq(y_test.slice(0, i, i + 1000)).sum().item<int64_t>();
    }
  }
  const double exported_accuracy = double(correct) / double(x_test.size(0));
  std::ifstream model_file(model_path, std::ios::binary);
  const std::string model_bytes((std::istreambuf_iterator<char>(model_file)), std::istreambuf_iterator<char>());

  nlohmann::json sidecar;
  sidecar["name"] = "fashion_cnn";
  sidecar["model_version"] = "fashion_cnn-" + tierscope::sha256_hex(model_bytes).substr(0, 12);
  sidecar["classes"] = std::vector<std::string>(tierscope::kFashionMnistClasses.begin(), tierscope::kFashionMnistClasses.end());
  sidecar["input"] = {{"channels", 1}, {"height", 28}, {"width", 28}, {"scale", 1.0 / 255.0}, {"mean", kMean}, {"std", kStd},
                      {"foreground", "light garment on a black background (Fashion-MNIST)"}};
  sidecar["test_accuracy"] = exported_accuracy;
  sidecar["test_images"] = x_test.size(0);
  sidecar["training"] = {{"command", command}, {"epochs", epochs}, {"seed", seed}, {"threads", threads},
                         {"optimizer", "AdamW lr 2e-3 one-cycle cosine, weight decay 1e-4, batch 128, label smoothing 0.05"},
                         {"augmentation", "horizontal flip p=0.5"},
                         {"dataset", data_dir},
                         {"tierscope_version", tierscope::version_string()}};
  std::ofstream(out + ".json") << sidecar.dump(2) << "\n";
  std::printf("test accuracy %.2f %% (network), %.2f %% (exported TorchScript); wrote %s and %s.json (%zu bytes)\n",
              100.0 * test_accuracy, 100.0 * exported_accuracy, model_path.c_str(), out.c_str(), model_bytes.size());
  return exported_accuracy >= 0.93 ? 0 : 1;
}
