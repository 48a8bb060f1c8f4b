#include "whatif_widget.h"

#include "tierscope/engine.h"

#include <QChart>
#include <QFile>
#include <QFileDialog>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLogValueAxis>
#include <QMessageBox>
#include <QTextStream>
#include <QValueAxis>
#include <QVBoxLayout>

namespace tierscope::ui {
namespace {

const char* kPolicies[] = {"lru", "wtinylfu", "arc", "opt"};

QString label(const QString& policy) {
  if (policy == QLatin1String("opt")) return QObject::tr("Belady's optimal");
  if (policy == QLatin1String("arc")) return QObject::tr("ARC (reference)");
  if (policy == QLatin1String("wtinylfu")) return QObject::tr("W-TinyLFU");
  return QObject::tr("LRU");
}

}  // namespace

WhatIfWidget::WhatIfWidget(Engine* engine, QWidget* parent) : WhatIfWidget(new WhatIfWorker(engine), parent) {
  if (engine) {
    QStringList names;
    for (const std::string& ns : engine->cache().namespace_names()) names << QString::fromStdString(ns);
    setLiveNamespaces(names);
  }
}

void WhatIfWidget::setLiveNamespaces(const QStringList& names) {
  QStringList now;
  for (int i = 1; i < source_->count(); ++i) now << source_->itemData(i).toString();
  if (now == names) return;
  const QString current = source_->currentData().toString();
  while (source_->count() > 1) source_->removeItem(1);
  for (const QString& ns : names) source_->addItem(tr("Live traffic: %1").arg(ns), ns);
  const int keep = current.isEmpty() ? 0 : source_->findData(current);
  source_->setCurrentIndex(std::max(0, keep));
}

WhatIfWidget::WhatIfWidget(WhatIfWorker* worker, QWidget* parent) : QWidget(parent) {
  qRegisterMetaType<WhatIfRequest>("tierscope::ui::WhatIfRequest");
  source_ = new QComboBox;
  source_->setObjectName("whatifSource");
  source_->addItem(tr("Trace file or Zipf stream"));
  source_->setToolTip(tr("Live traffic replays the requests the engine recorded recently (keys sampled like the "
                         "live curves; sizes are scaled by the sampling rate)"));
  trace_ = new QLineEdit;
  trace_->setPlaceholderText(tr("LIRS (.trace[.gz]) or ARC (.lis[.zst]) trace; empty = the Zipf stream"));
  auto* browse = new QPushButton(tr("Trace…"));
  zipf_ = new QLineEdit(QStringLiteral("10000,0.9,200000"));
  zipf_->setToolTip(tr("Zipf stream when no trace is given: keys, exponent, requests"));
  sizes_ = new QLineEdit(QStringLiteral("100,250,500,1000,2000,4000"));
  sizes_->setToolTip(tr("Cache sizes in entries, comma-separated"));
  lru_ = new QCheckBox(tr("LRU"));
  wtinylfu_ = new QCheckBox(tr("W-TinyLFU"));
  arc_ = new QCheckBox(tr("ARC"));
  arc_->setToolTip(tr("Adaptive Replacement Cache (Megiddo & Modha, 2003), a reference policy"));
  opt_ = new QCheckBox(tr("Belady's optimal"));
  for (QCheckBox* c : {lru_, wtinylfu_, opt_}) c->setChecked(true);
  run_button_ = new QPushButton(tr("Run"));
  cancel_button_ = new QPushButton(tr("Cancel"));
  cancel_button_->setEnabled(false);
  csv_button_ = new QPushButton(tr("Export CSV…"));
  png_button_ = new QPushButton(tr("Export PNG…"));
  progress_ = new QProgressBar;
  progress_->setRange(0, 1);
  progress_->setValue(0);
  status_ = new QLabel(tr("Replays a trace through each policy at each size (single-threaded, exact)."));
  status_->setWordWrap(true);

  auto* form = new QGridLayout;
  form->addWidget(new QLabel(tr("Source")), 0, 0);
  form->addWidget(source_, 0, 1, 1, 5);
  connect(source_, &QComboBox::currentIndexChanged, this, [this, browse](int index) {
    trace_->setEnabled(index == 0);
    zipf_->setEnabled(index == 0);
    browse->setEnabled(index == 0);
  });
  form->addWidget(new QLabel(tr("Trace")), 1, 0);
  form->addWidget(trace_, 1, 1, 1, 4);
  form->addWidget(browse, 1, 5);
  form->addWidget(new QLabel(tr("or Zipf")), 2, 0);
  form->addWidget(zipf_, 2, 1);
  form->addWidget(new QLabel(tr("Sizes")), 3, 0);
  form->addWidget(sizes_, 3, 1, 1, 5);
  auto* buttons = new QHBoxLayout;
  for (QWidget* w : {static_cast<QWidget*>(lru_), static_cast<QWidget*>(wtinylfu_), static_cast<QWidget*>(arc_),
                     static_cast<QWidget*>(opt_)}) {
    buttons->addWidget(w);
  }
  buttons->addStretch(1);
  for (QPushButton* b : {run_button_, cancel_button_, csv_button_, png_button_}) buttons->addWidget(b);

  auto* chart = new QChart;
  chart->setTitle(tr("Hit ratio by cache size"));
  chart->legend()->setAlignment(Qt::AlignBottom);
  x_ = new QLogValueAxis;
  x_->setTitleText(tr("cache size (entries)"));
  x_->setLabelFormat("%.0f");
  x_->setBase(10);
  x_->setMinorTickCount(-1);
  y_ = new QValueAxis;
  y_->setTitleText(tr("hit ratio (%)"));
  y_->setRange(0, 100);
  y_->setLabelFormat("%.0f");
  chart->addAxis(x_, Qt::AlignBottom);
  chart->addAxis(y_, Qt::AlignLeft);
  for (const char* p : kPolicies) {
    auto* s = new QLineSeries;
    s->setName(label(p));
    s->setPointsVisible(true);
    chart->addSeries(s);
    s->attachAxis(x_);
    s->attachAxis(y_);
    series_[p] = s;
  }
  QPen dashed = series_["opt"]->pen();
  dashed.setStyle(Qt::DashLine);
  series_["opt"]->setPen(dashed);
  chart_view_ = new QChartView;
  QChart* default_chart = chart_view_->chart();
  chart_view_->setChart(chart);
  delete default_chart;
  chart_view_->setRenderHint(QPainter::Antialiasing);
  chart_view_->setMinimumHeight(260);

  auto* layout = new QVBoxLayout(this);
  layout->addLayout(form);
  layout->addLayout(buttons);
  layout->addWidget(progress_);
  layout->addWidget(status_);
  layout->addWidget(chart_view_, 1);

  worker_ = worker;
  worker_->moveToThread(&thread_);
  thread_.setObjectName("tierscope-whatif");
  connect(&thread_, &QThread::finished, worker_, &QObject::deleteLater);
  connect(this, &WhatIfWidget::requestRun, worker_, &WhatIfWorker::run, Qt::QueuedConnection);
  connect(worker_, &WhatIfWorker::started, this, [this](const QString& name, quint64 requests, int points) {
    trace_name_ = name;
    progress_->setRange(0, std::max(points, 1));
    progress_->setValue(0);
    status_->setText(tr("%1: %L2 requests, %3 points…").arg(name).arg(requests).arg(points));
  }, Qt::QueuedConnection);
  connect(worker_, &WhatIfWorker::pointReady, this, &WhatIfWidget::onPoint, Qt::QueuedConnection);
  connect(worker_, &WhatIfWorker::finished, this, [this](bool cancelled) {
    running_ = false;
    run_button_->setEnabled(true);
    cancel_button_->setEnabled(false);
    status_->setText(cancelled ? tr("%1: cancelled").arg(trace_name_) : tr("%1: done").arg(trace_name_));
    Q_EMIT runFinished(cancelled);
  }, Qt::QueuedConnection);
  connect(worker_, &WhatIfWorker::failed, this, [this](const QString& message) {
    running_ = false;
    run_button_->setEnabled(true);
    cancel_button_->setEnabled(false);
    status_->setText(tr("<span style='color:#c0392b'>%1</span>").arg(message.toHtmlEscaped()));
    Q_EMIT runFinished(true);
  }, Qt::QueuedConnection);
  thread_.start();

  connect(browse, &QPushButton::clicked, this, [this] {
    const QString path = QFileDialog::getOpenFileName(this, tr("Trace"), {}, tr("Traces (*.trace *.trc *.lis *.gz *.zst);;All files (*)"));
    if (!path.isEmpty()) trace_->setText(path);
  });
  connect(run_button_, &QPushButton::clicked, this, [this] { run(); });
  connect(cancel_button_, &QPushButton::clicked, this, &WhatIfWidget::cancel);
  connect(csv_button_, &QPushButton::clicked, this, [this] {
    const QString path = QFileDialog::getSaveFileName(this, tr("Export curves"), QStringLiteral("whatif.csv"), tr("CSV (*.csv)"));
    QString error;
    if (!path.isEmpty() && !exportCsv(path, &error)) QMessageBox::warning(this, tr("Export failed"), error);
  });
  connect(png_button_, &QPushButton::clicked, this, [this] {
    const QString path = QFileDialog::getSaveFileName(this, tr("Export chart"), QStringLiteral("whatif.png"), tr("PNG (*.png)"));
    if (!path.isEmpty() && !exportPng(path)) QMessageBox::warning(this, tr("Export failed"), tr("cannot write %1").arg(path));
  });
}

WhatIfWidget::~WhatIfWidget() {
  worker_->cancel();
  thread_.quit();
  thread_.wait();
}

bool WhatIfWidget::run() {
  if (running_) return false;
  WhatIfRequest r;
  r.live_namespace = source_->currentData().toString();
  r.trace_path = r.live_namespace.isEmpty() ? trace_->text().trimmed() : QString();
  if (r.live_namespace.isEmpty() && r.trace_path.isEmpty()) {
    const QStringList z = zipf_->text().split(',');
    bool ok1 = false, ok2 = false, ok3 = false;
    if (z.size() == 3) {
      r.zipf_keys = z[0].trimmed().toULongLong(&ok1);
      r.zipf_exponent = z[1].trimmed().toDouble(&ok2);
      r.zipf_requests = z[2].trimmed().toULongLong(&ok3);
    }
    if (!ok1 || !ok2 || !ok3 || r.zipf_keys == 0 || r.zipf_requests == 0 || r.zipf_exponent < 0) {
      status_->setText(tr("<span style='color:#c0392b'>Zipf wants KEYS,EXPONENT,REQUESTS, e.g. 10000,0.9,200000</span>"));
      return false;
    }
  }
  for (const QString& part : sizes_->text().split(',', Qt::SkipEmptyParts)) {
    bool ok = false;
    const quint64 size = part.trimmed().toULongLong(&ok);
    if (!ok || size == 0) {
      status_->setText(tr("<span style='color:#c0392b'>'%1' is not a cache size (1 entry or more)</span>").arg(part.trimmed().toHtmlEscaped()));
      return false;
    }
    r.sizes << size;
  }
  std::sort(r.sizes.begin(), r.sizes.end());
  r.sizes.erase(std::unique(r.sizes.begin(), r.sizes.end()), r.sizes.end());
  if (lru_->isChecked()) r.policies << "lru";
  if (wtinylfu_->isChecked()) r.policies << "wtinylfu";
  if (arc_->isChecked()) r.policies << "arc";
  if (opt_->isChecked()) r.policies << "opt";
  if (r.sizes.isEmpty() || r.policies.isEmpty()) {
    status_->setText(tr("<span style='color:#c0392b'>Pick at least one policy and one size</span>"));
    return false;
  }
  results_.clear();
  redraw();
  running_ = true;
  run_button_->setEnabled(false);
  cancel_button_->setEnabled(true);
  worker_->arm();
  Q_EMIT requestRun(r);
  return true;
}

void WhatIfWidget::cancel() { worker_->cancel(); }

void WhatIfWidget::onPoint(const QString& policy, quint64 size, double ratio, int done, int /*total*/) {
  results_[policy][size] = ratio;
  progress_->setValue(done);
  redraw();
}

void WhatIfWidget::redraw() {
  quint64 low = 0, high = 0;
  for (const char* p : kPolicies) {
    QList<QPointF> points;
    const QMap<quint64, double> curve = results_.value(p);
    for (auto it = curve.begin(); it != curve.end(); ++it) {
      points.append({double(it.key()), it.value() * 100.0});
      low = low ? std::min(low, it.key()) : it.key();
      high = std::max(high, it.key());
    }
    series_[p]->replace(points);
  }
  if (high > 0) x_->setRange(std::max(1.0, low / 1.5), high * 1.5);
}

bool WhatIfWidget::exportCsv(const QString& path, QString* error) const {
  QFile file(path);
  if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Text)) {
    if (error) *error = tr("cannot write %1: %2").arg(path, file.errorString());
    return false;
  }
  QTextStream out(&file);
  out << "trace,policy,size,hit_ratio\n";
  for (auto p = results_.begin(); p != results_.end(); ++p) {
    for (auto it = p.value().begin(); it != p.value().end(); ++it) {
      out << '"' << QString(trace_name_).replace('"', "'") << "\"," << p.key() << ',' << it.key() << ','
          << QString::number(it.value(), 'f', 6) << '\n';
    }
  }
  return true;
}

bool WhatIfWidget::exportPng(const QString& path) const { return chart_view_->grab().save(path, "PNG"); }

}  // namespace tierscope::ui
