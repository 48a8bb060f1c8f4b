#include "tryon_image_view.h"

#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>

namespace tierscope::ui {

TryOnImageView::TryOnImageView(const QString& placeholder, QWidget* parent) : QWidget(parent), placeholder_(placeholder) {
  setMinimumSize(160, 210);
  setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void TryOnImageView::setImage(const QImage& image) {
  image_ = image;
  update();
}

void TryOnImageView::setCompareImage(const QImage& image) {
  compare_ = image;
  setCursor(image.isNull() ? Qt::ArrowCursor : Qt::SplitHCursor);
  update();
}

void TryOnImageView::setOverlay(const QImage& overlay, const QList<TryOnLandmark>& landmarks) {
  overlay_ = overlay;
  landmarks_ = landmarks;
  update();
}

void TryOnImageView::setShowRegions(bool on) {
  show_regions_ = on;
  update();
}

void TryOnImageView::setShowLandmarks(bool on) {
  show_landmarks_ = on;
  update();
}

void TryOnImageView::setSplit(double fraction) {
  fraction = std::clamp(fraction, 0.0, 1.0);
  if (fraction == split_) return;
  split_ = fraction;
  update();
  Q_EMIT splitChanged(split_);
}

void TryOnImageView::clear() {
  image_ = {};
  compare_ = {};
  overlay_ = {};
  landmarks_.clear();
  setCursor(Qt::ArrowCursor);
  update();
}

QRectF TryOnImageView::target() const {
  if (image_.isNull()) return {};
  const QSizeF s = QSizeF(image_.size()).scaled(QSizeF(size()), Qt::KeepAspectRatio);
  return QRectF(QPointF((width() - s.width()) / 2, (height() - s.height()) / 2), s);
}

void TryOnImageView::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.setRenderHint(QPainter::SmoothPixmapTransform);
  p.setRenderHint(QPainter::Antialiasing);
  if (image_.isNull()) {
    p.setPen(palette().color(QPalette::PlaceholderText));
    p.drawRect(rect().adjusted(0, 0, -1, -1));
    p.drawText(rect(), Qt::AlignCenter | Qt::TextWordWrap, placeholder_);
    return;
  }
  const QRectF t = target();
  p.drawImage(t, image_);
  if (show_regions_ && !overlay_.isNull()) p.drawImage(t, overlay_);
  if (!compare_.isNull()) {
    // Right of the divider: the "after" image.
    const double x = t.left() + split_ * t.width();
    const QRectF after(x, t.top(), t.right() - x, t.height());
    const QRectF source((after.left() - t.left()) / t.width() * compare_.width(), 0, after.width() / t.width() * compare_.width(),
                        compare_.height());
    p.drawImage(after, compare_, source);
    p.setPen(QPen(Qt::white, 2));
    p.drawLine(QPointF(x, t.top()), QPointF(x, t.bottom()));
    p.setBrush(Qt::white);
    p.drawEllipse(QPointF(x, t.center().y()), 7, 7);
  }
  if (show_landmarks_) {
    const double sx = t.width() / image_.width(), sy = t.height() / image_.height();
    QFont f = font();
    f.setPointSizeF(std::max(6.0, f.pointSizeF() * 0.8));
    p.setFont(f);
    for (const auto& l : landmarks_) {
      const QPointF at(t.left() + l.at.x() * sx, t.top() + l.at.y() * sy);
      p.setPen(QPen(Qt::black, 1));
      p.setBrush(QColor(230, 30, 30));
      p.drawEllipse(at, 3.5, 3.5);
      p.setPen(QColor(230, 30, 30));
      p.drawText(at + QPointF(5, -3), l.name);
    }
  }
}

void TryOnImageView::dragTo(double x) {
  if (compare_.isNull()) return;
  const QRectF t = target();
  if (t.width() <= 0) return;
  setSplit((x - t.left()) / t.width());
}

void TryOnImageView::mousePressEvent(QMouseEvent* event) { dragTo(event->position().x()); }
void TryOnImageView::mouseMoveEvent(QMouseEvent* event) {
  if (event->buttons() & Qt::LeftButton) dragTo(event->position().x());
}

}  // namespace tierscope::ui
