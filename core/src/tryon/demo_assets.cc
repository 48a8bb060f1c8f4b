#include "tierscope/tryon/demo_assets.h"

#include <cmath>
#include <opencv2/imgproc.hpp>

#include "tryon/image_io.h"

namespace tierscope::tryon {
namespace {

using internal::encode_png;
constexpr int kW = 768, kH = 1024;

cv::Mat studio_background(cv::Scalar top, cv::Scalar bottom) {
  cv::Mat m(kH, kW, CV_8UC3);
  for (int y = 0; y < kH; ++y) {
    const double t = double(y) / kH;
    m.row(y).setTo(top * (1 - t) + bottom * t);
  }
  return m;
}

// Soft vertical shading (light from the upper left) and fold lines over a filled mask.
void shade(cv::Mat& image, const cv::Mat& mask, double strength, int folds, unsigned seed) {
  cv::RNG rng(seed);
  cv::Mat factor(image.size(), CV_32F, cv::Scalar(1.0));
  const cv::Rect box = cv::boundingRect(mask);
  for (int y = box.y; y < box.br().y; ++y)
    for (int x = box.x; x < box.br().x; ++x) {
      const double u = double(x - box.x) / std::max(1, box.width);
      factor.at<float>(y, x) = static_cast<float>(1.0 + strength * (0.5 - u) * 0.6 + strength * 0.2 * std::sin(u * CV_PI));
    }
  for (int i = 0; i < folds; ++i) {
    const int x0 = box.x + rng.uniform(box.width / 6, box.width * 5 / 6);
    const int y0 = box.y + rng.uniform(box.height / 5, box.height * 4 / 5);
    cv::line(factor, {x0, y0}, {x0 + rng.uniform(-40, 40), y0 + rng.uniform(40, 120)}, cv::Scalar(1 - strength * 0.45), 10);
  }
  cv::GaussianBlur(factor, factor, cv::Size(0, 0), 9);
  for (int y = 0; y < image.rows; ++y)
    for (int x = 0; x < image.cols; ++x)
      if (mask.at<uchar>(y, x)) {
        auto& p = image.at<cv::Vec3b>(y, x);
        for (int k = 0; k < 3; ++k) p[k] = cv::saturate_cast<uchar>(p[k] * factor.at<float>(y, x));
      }
}

void fill(cv::Mat& image, cv::Mat& mask, const std::vector<cv::Point>& poly, cv::Scalar colour) {
  cv::fillPoly(image, std::vector<std::vector<cv::Point>>{poly}, colour, cv::LINE_AA);
  cv::fillPoly(mask, std::vector<std::vector<cv::Point>>{poly}, cv::Scalar(255));
}

void draw_face(cv::Mat& img, cv::Point c, cv::Scalar skin) {
  // Shaded the way frontal Haar features expect a face: eye sockets and brows darker than
  // the forehead and the cheeks, a bright bridge of the nose, a darker mouth, and the face
  // darkening towards its outline.
  cv::Mat face_mask = cv::Mat::zeros(img.size(), CV_8U);
  cv::ellipse(face_mask, c, {60, 78}, 0, 0, 360, cv::Scalar(255), -1);
  cv::Mat shading(img.size(), CV_32F, cv::Scalar(1.0));
  for (int y = c.y - 80; y <= c.y + 80; ++y)
    for (int x = c.x - 62; x <= c.x + 62; ++x) {
      const double u = (x - c.x) / 60.0, v = (y - c.y) / 78.0;
      shading.at<float>(y, x) = static_cast<float>(1.08 - 0.35 * std::pow(std::min(1.0, u * u + v * v), 2));
    }
  for (int side : {-1, 1}) {
    cv::ellipse(shading, c + cv::Point(side * 25, -10), {22, 14}, 0, 0, 360, cv::Scalar(0.62), -1, cv::LINE_AA);
    cv::ellipse(shading, c + cv::Point(side * 30, 26), {16, 12}, 0, 0, 360, cv::Scalar(1.12), -1, cv::LINE_AA);
  }
  cv::rectangle(shading, c + cv::Point(-6, -16), c + cv::Point(6, 20), cv::Scalar(1.15), -1);
  cv::ellipse(shading, c + cv::Point(0, 30), {14, 5}, 0, 0, 360, cv::Scalar(0.8), -1, cv::LINE_AA);
  cv::GaussianBlur(shading, shading, cv::Size(0, 0), 4);
  for (int y = 0; y < img.rows; ++y)
    for (int x = 0; x < img.cols; ++x)
      if (face_mask.at<uchar>(y, x)) {
        auto& p = img.at<cv::Vec3b>(y, x);
        for (int k = 0; k < 3; ++k) p[k] = cv::saturate_cast<uchar>(p[k] * shading.at<float>(y, x));
      }
  for (int side : {-1, 1}) {
    const cv::Point eye = c + cv::Point(side * 25, -9);
    cv::ellipse(img, eye, {12, 6}, 0, 0, 360, cv::Scalar(205, 210, 215), -1, cv::LINE_AA);
    cv::circle(img, eye, 5, cv::Scalar(50, 60, 80), -1, cv::LINE_AA);
    cv::circle(img, eye, 2, cv::Scalar(10, 10, 10), -1, cv::LINE_AA);
    cv::ellipse(img, c + cv::Point(side * 26, -27), {17, 5}, 0, side > 0 ? 190 : 170, side > 0 ? 350 : 10,
                cv::Scalar(35, 40, 55), 5, cv::LINE_AA);
  }
  cv::ellipse(img, c + cv::Point(0, 44), {19, 6}, 0, 0, 360, cv::Scalar(80, 80, 165), -1, cv::LINE_AA);
  cv::line(img, c + cv::Point(-18, 44), c + cv::Point(18, 44), cv::Scalar(45, 45, 100), 2, cv::LINE_AA);
}

}  // namespace

std::string demo_person_png() {
  cv::Mat img = studio_background(cv::Scalar(236, 234, 230), cv::Scalar(222, 220, 216));
  const cv::Scalar skin(150, 180, 222);      // BGR, warm light skin
  const cv::Scalar hair(40, 55, 80);         // dark brown
  const cv::Scalar top(80, 95, 215);         // coral red
  const cv::Scalar trousers(110, 70, 40);    // denim blue
  cv::Mat m = cv::Mat::zeros(img.size(), CV_8U);
  // Legs (trousers) with a gap between them.
  cv::Mat trouser_mask = cv::Mat::zeros(img.size(), CV_8U);
  fill(img, trouser_mask, {{282, 540}, {486, 540}, {500, 700}, {478, 1024}, {398, 1024}, {386, 690}, {382, 690},
                           {370, 1024}, {290, 1024}, {268, 700}}, trousers);
  shade(img, trouser_mask, 0.25, 5, 3);
  // Arms: skin, hanging beside the torso, from the sleeves down to the hands.
  cv::Mat arm_mask = cv::Mat::zeros(img.size(), CV_8U);
  fill(img, arm_mask, {{238, 300}, {282, 300}, {262, 520}, {258, 610}, {226, 610}, {218, 520}}, skin);
  fill(img, arm_mask, {{486, 300}, {530, 300}, {550, 520}, {542, 610}, {510, 610}, {506, 520}}, skin);
  cv::circle(img, {242, 622}, 20, skin, -1, cv::LINE_AA);
  cv::circle(img, {526, 622}, 20, skin, -1, cv::LINE_AA);
  shade(img, arm_mask, 0.2, 0, 5);
  // Neck.
  cv::rectangle(img, {356, 200}, {412, 262}, skin * 0.92, -1, cv::LINE_AA);
  // Top: short sleeves, crew neck.
  cv::Mat top_mask = cv::Mat::zeros(img.size(), CV_8U);
  fill(img, top_mask, {{300, 248}, {352, 240}, {384, 262}, {416, 240}, {468, 248}, {520, 270}, {540, 360}, {496, 372},
                       {492, 360}, {494, 560}, {274, 560}, {276, 360}, {272, 372}, {228, 360}, {248, 270}}, top);
  shade(img, top_mask, 0.3, 6, 7);
  // Head: hair behind, face, hair on top.
  cv::ellipse(img, {384, 140}, {78, 92}, 0, 0, 360, hair, -1, cv::LINE_AA);
  cv::ellipse(img, {384, 150}, {60, 78}, 0, 0, 360, skin, -1, cv::LINE_AA);
  draw_face(img, {384, 150}, skin);
  cv::ellipse(img, {384, 84}, {64, 24}, 0, 180, 360, hair, -1, cv::LINE_AA);
  (void)m;
  return encode_png(img, 6);
}

std::string demo_garment_png(Category category) {
  cv::Mat img(kH, kW, CV_8UC3, cv::Scalar(246, 246, 246));
  cv::Mat mask = cv::Mat::zeros(img.size(), CV_8U);
  switch (category) {
    case Category::kUpperBody: {
      // A Breton top: navy stripes on white, elbow sleeves, crew neck.
      fill(img, mask, {{250, 150}, {330, 128}, {384, 160}, {438, 128}, {518, 150}, {640, 300}, {600, 350}, {560, 320},
                       {540, 310}, {550, 680}, {218, 680}, {228, 310}, {208, 320}, {168, 350}, {128, 300}},
           cv::Scalar(226, 236, 244));
      for (int y = 170; y < 690; y += 36) {
        cv::Mat stripe = cv::Mat::zeros(img.size(), CV_8U);
        cv::rectangle(stripe, {0, y}, {kW, y + 14}, cv::Scalar(255), -1);
        img.setTo(cv::Scalar(110, 40, 30), stripe & mask);
      }
      // The collar band.
      cv::ellipse(img, {384, 140}, {56, 30}, 0, 0, 180, cv::Scalar(110, 40, 30), 8, cv::LINE_AA);
      shade(img, mask, 0.15, 4, 11);
      break;
    }
    case Category::kLowerBody: {
      fill(img, mask, {{250, 110}, {518, 110}, {540, 330}, {556, 940}, {420, 940}, {390, 380}, {378, 380}, {348, 940},
                       {212, 940}, {228, 330}}, cv::Scalar(120, 170, 195));  // khaki chinos
      cv::line(img, {250, 140}, {518, 140}, cv::Scalar(95, 140, 165), 3, cv::LINE_AA);  // waistband seam
      shade(img, mask, 0.25, 6, 13);
      break;
    }
    case Category::kDresses: {
      // A short-sleeved knee-length dress, flared.
      fill(img, mask, {{300, 110}, {350, 96}, {384, 124}, {418, 96}, {468, 110}, {560, 200}, {528, 248}, {490, 226},
                       {480, 430}, {600, 960}, {168, 960}, {288, 430}, {278, 226}, {240, 248}, {208, 200}},
           cv::Scalar(120, 60, 120));  // plum
      for (int i = 0; i < 40; ++i) {
        cv::RNG rng(17 + i);
        cv::circle(img, {rng.uniform(200, 570), rng.uniform(150, 940)}, 6, cv::Scalar(200, 180, 230), -1, cv::LINE_AA);
      }
      img.setTo(cv::Scalar(246, 246, 246), mask == 0);
      shade(img, mask, 0.25, 5, 19);
      break;
    }
  }
  return encode_png(img, 6);
}

}  // namespace tierscope::tryon
