// TryOnImageView: paints a photo scaled to fit, with optional overlays (a translucent
// region layer and named landmark points) and, when a second image is set, a
// before/after split the user drags: left of the divider the first image, right of it
// the second.
//
// Ownership: a QWidget owned by its Qt parent. Thread safety: GUI thread only.
#pragma once

#include <QImage>
#include <QWidget>

#include "tryon_view.h"

namespace tierscope::ui {

class TryOnImageView : public QWidget {
  Q_OBJECT

 public:
  explicit TryOnImageView(const QString& placeholder, QWidget* parent = nullptr);

  void setImage(const QImage& image);
  // The "after" image: enables the split (same size as the image, or scaled to it).
  void setCompareImage(const QImage& image);
  void setOverlay(const QImage& overlay, const QList<TryOnLandmark>& landmarks);
  void setShowRegions(bool on);
  void setShowLandmarks(bool on);
  // 0 = all "after", 1 = all "before".
  void setSplit(double fraction);
  double split() const { return split_; }
  bool hasImage() const { return !image_.isNull(); }
  void clear();
  QSize sizeHint() const override { return {300, 400}; }

 Q_SIGNALS:
  void splitChanged(double fraction);

 protected:
  void paintEvent(QPaintEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;

 private:
  QRectF target() const;
  void dragTo(double x);

  QString placeholder_;
  QImage image_;
  QImage compare_;
  QImage overlay_;
  QList<TryOnLandmark> landmarks_;
  bool show_regions_ = false;
  bool show_landmarks_ = false;
  double split_ = 0.5;
};

}  // namespace tierscope::ui
