#include "tryon_worker.h"

#include <QColor>
#include <QPainter>

#include "tierscope/tryon/tryon_pipeline.h"

namespace tierscope::ui {
namespace {

// A label map as a translucent colour layer scaled to `size`.
QImage tint(const tryon::Mask& labels, const QList<QColor>& colours, QSize size) {
  QImage small(labels.width, labels.height, QImage::Format_ARGB32);
  small.fill(Qt::transparent);
  for (int y = 0; y < labels.height; ++y) {
    auto* line = reinterpret_cast<QRgb*>(small.scanLine(y));
    for (int x = 0; x < labels.width; ++x) {
      const uint8_t l = labels.pixels[size_t(y) * labels.width + x];
      if (l > 0 && l < colours.size()) line[x] = colours[l].rgba();
    }
  }
  return small.scaled(size, Qt::IgnoreAspectRatio, Qt::FastTransformation);
}

QList<TryOnLandmark> landmarks(const std::vector<tryon::Landmark>& points) {
  QList<TryOnLandmark> out;
  for (const auto& p : points) out.append({QString::fromStdString(p.name), QPointF(p.at.x, p.at.y)});
  return out;
}

}  // namespace

TryOnWorker::TryOnWorker(tryon::TryOnPipeline& pipeline, QObject* parent)
    : TryOnWorker(
          [&pipeline](const TryOnJob& job) {
            tryon::TryOnRequest request;
            request.person_image = job.person.toStdString();
            request.garment_image = job.garment.toStdString();
            if (!job.category.isEmpty()) request.category = tryon::parse_category(job.category.toStdString());
            request.options.uncovered_fill = job.skin_fill ? tryon::UncoveredFill::kSkin : tryon::UncoveredFill::kLayer;
            request.options.use_grabcut = job.grabcut;
            return pipeline.run(request);
          },
          parent) {}

TryOnWorker::TryOnWorker(TryOnFunction run, QObject* parent) : QObject(parent), run_(std::move(run)) {}

TryOnView TryOnWorker::viewOf(const TryOnJob& job, const tryon::TryOnResult& r) {
  TryOnView v;
  v.person = QImage::fromData(job.person);
  v.garment = QImage::fromData(job.garment);
  v.composite_png = QByteArray(r.composite_png.data(), static_cast<qsizetype>(r.composite_png.size()));
  v.composite = QImage::fromData(v.composite_png, "PNG");
  const QList<QColor> person_colours = {{}, QColor(255, 170, 120, 110), QColor(120, 40, 40, 110), QColor(60, 200, 60, 110),
                                        QColor(40, 120, 220, 110)};
  const QList<QColor> garment_colours = {{}, QColor(60, 200, 60, 110), QColor(40, 120, 220, 110), QColor(200, 60, 200, 110),
                                         QColor(230, 40, 40, 110)};
  v.person_overlay = tint(r.person_regions, person_colours, v.person.size());
  v.garment_overlay = tint(r.garment_mask, garment_colours, v.garment.size());
  v.person_landmarks = landmarks(r.person_landmarks);
  v.garment_landmarks = landmarks(r.garment_landmarks);
  for (const auto& s : r.stages) v.stages.append({QString::fromStdString(s.name), s.milliseconds, s.from_cache || r.composite_from_cache});
  v.category = QString::fromLatin1(tryon::category_name(r.category));
  v.category_source = QString::fromStdString(r.category_source);
  v.verdict = QString::fromLatin1(tryon::verdict_name(r.verdict));
  for (const auto& s : r.reasons) v.reasons << QString::fromStdString(s);
  for (const auto& s : r.warnings) v.warnings << QString::fromStdString(s);
  for (const auto& d : r.detectors) {
    v.detectors << QStringLiteral("%1 %2 %3%4")
                       .arg(QString::fromStdString(d.name))
                       .arg(d.confidence, 0, 'f', 2)
                       .arg(QString::fromStdString(d.method))
                       .arg(d.fell_back ? QStringLiteral(" (fell back)") : QString());
  }
  v.total_ms = r.total_ms;
  v.composite_from_cache = r.composite_from_cache;
  v.outside_silhouette = r.garment_outside_silhouette;
  v.torso_covered = r.torso_covered;
  return v;
}

void TryOnWorker::run(const TryOnJob& job) {
  try {
    const tryon::TryOnResult r = run_(job);
    Q_EMIT finished(viewOf(job, r));
  } catch (const std::exception& e) {
    Q_EMIT failed(QString::fromStdString(e.what()));
  }
}

}  // namespace tierscope::ui
