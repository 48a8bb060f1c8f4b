#include "tryon_widget.h"

#include <QFutureWatcher>
#include <QtConcurrent/QtConcurrentRun>

#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QDir>
#include <QGridLayout>
#include <QGuiApplication>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QMimeData>
#include <QScrollArea>
#include <QSplitter>
#include <QVBoxLayout>

#include "classification_worker.h"
#include "tierscope/tryon/demo_assets.h"
#include "tryon_image_view.h"

namespace tierscope::ui {
namespace {

QByteArray toBytes(const std::string& s) { return QByteArray(s.data(), static_cast<qsizetype>(s.size())); }

QString htmlList(const QStringList& items) {
  QString out;
  for (const auto& item : items) out += QStringLiteral("• %1<br>").arg(item.toHtmlEscaped());
  return out;
}

}  // namespace

TryOnWidget::TryOnWidget(tryon::TryOnPipeline& pipeline, QWidget* parent)
    : TryOnWidget(new TryOnWorker(pipeline), parent) {}

TryOnWidget::TryOnWidget(TryOnWorker* worker, QWidget* parent) : QWidget(parent) {
  qRegisterMetaType<TryOnView>("tierscope::ui::TryOnView");
  qRegisterMetaType<TryOnJob>("tierscope::ui::TryOnJob");
  setAcceptDrops(true);

  auto* person_button = new QPushButton(tr("Person…"));
  person_button->setToolTip(tr("A front-facing photo of a person (JPEG, PNG, WebP); or drop one on the left picture"));
  auto* garment_button = new QPushButton(tr("Garment…"));
  garment_button->setToolTip(tr("A product photo of a garment on a plain background; or drop one on the middle picture"));
  auto* gallery_button = new QPushButton(tr("Gallery…"));
  gallery_button->setToolTip(tr("Show the images of a folder below; double-click one to use it as the garment"));
  demo_ = new QComboBox;
  demo_->addItems({tr("Demo set…"), tr("Demo person"), tr("Demo: striped top"), tr("Demo: trousers"), tr("Demo: dress")});
  demo_->setToolTip(tr("Pictures drawn by Tierscope itself, so there is always something to try on"));
  category_ = new QComboBox;
  category_->addItem(tr("Category: auto"), QString());
  category_->addItem(tr("upper_body"), QStringLiteral("upper_body"));
  category_->addItem(tr("lower_body"), QStringLiteral("lower_body"));
  category_->addItem(tr("dresses"), QStringLiteral("dresses"));
  category_->setToolTip(tr("Auto asks the classifier (or the garment's outline) which body part the garment is for"));
  fill_ = new QComboBox;
  fill_->addItem(tr("Uncovered: keep old garment"));
  fill_->addItem(tr("Uncovered: blend skin"));
  fill_->setToolTip(tr("Where the new garment covers less than the old one: layer it over the old one, or blend from the "
                       "person's own skin (never a flat patch)"));
  run_button_ = new QPushButton(tr("Try on"));
  run_button_->setDefault(true);
  save_button_ = new QPushButton(tr("Save result…"));
  auto* controls = new QHBoxLayout;
  for (QWidget* w : {static_cast<QWidget*>(person_button), static_cast<QWidget*>(garment_button),
                     static_cast<QWidget*>(gallery_button), static_cast<QWidget*>(demo_), static_cast<QWidget*>(category_),
                     static_cast<QWidget*>(fill_)}) {
    controls->addWidget(w);
  }
  controls->addStretch(1);
  controls->addWidget(run_button_);
  controls->addWidget(save_button_);

  person_view_ = new TryOnImageView(tr("Drop a person photo here"));
  garment_view_ = new TryOnImageView(tr("Drop a garment photo here"));
  result_view_ = new TryOnImageView(tr("The preview appears here.\nDrag across it to compare before and after."));
  person_name_ = new QLabel;
  garment_name_ = new QLabel;
  auto pane = [](const QString& title, QWidget* view, QLabel* caption) {
    auto* box = new QGroupBox(title);
    auto* l = new QVBoxLayout(box);
    l->addWidget(view, 1);
    if (caption) l->addWidget(caption);
    return box;
  };
  show_regions_ = new QCheckBox(tr("Regions"));
  show_regions_->setToolTip(tr("Tint the person's skin, hair, top and lower garment, and the garment's body and sleeves"));
  show_landmarks_ = new QCheckBox(tr("Landmarks"));
  show_landmarks_->setToolTip(tr("Shoulders, armpits, hem, neckline, cuffs, waist, legs as the pipeline found them"));
  split_slider_ = new QSlider(Qt::Horizontal);
  split_slider_->setRange(0, 100);
  split_slider_->setValue(50);
  split_slider_->setToolTip(tr("Before (left) and after (right)"));
  auto* result_caption = new QWidget;
  auto* rc = new QHBoxLayout(result_caption);
  rc->setContentsMargins(0, 0, 0, 0);
  rc->addWidget(new QLabel(tr("Before")));
  rc->addWidget(split_slider_, 1);
  rc->addWidget(new QLabel(tr("After")));
  auto* images = new QSplitter(Qt::Horizontal);
  images->addWidget(pane(tr("Person"), person_view_, person_name_));
  images->addWidget(pane(tr("Garment"), garment_view_, garment_name_));
  auto* result_box = new QGroupBox(tr("Result"));
  auto* result_layout = new QVBoxLayout(result_box);
  result_layout->addWidget(result_view_, 1);
  result_layout->addWidget(result_caption);
  images->addWidget(result_box);
  images->setSizes({250, 250, 400});

  verdict_ = new QLabel;
  verdict_->setObjectName("verdictLabel");
  verdict_->setTextFormat(Qt::RichText);
  verdict_->setWordWrap(true);
  details_ = new QLabel;
  details_->setWordWrap(true);
  details_->setTextFormat(Qt::RichText);
  details_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  error_ = new QLabel;
  error_->setObjectName("errorLabel");
  error_->setWordWrap(true);
  error_->setStyleSheet(QStringLiteral("color: #c0392b; font-weight: bold"));
  error_->hide();
  stage_table_ = new QTableView;
  stage_table_->setModel(&stages_);
  stage_table_->horizontalHeader()->setStretchLastSection(true);
  stage_table_->verticalHeader()->hide();
  stage_table_->setMinimumWidth(260);
  stage_table_->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  stage_table_->setMaximumHeight(200);
  gallery_ = new QListWidget;
  gallery_->setViewMode(QListView::IconMode);
  gallery_->setIconSize(QSize(72, 96));
  gallery_->setMaximumHeight(130);
  gallery_->setFlow(QListView::LeftToRight);
  gallery_->setWrapping(false);
  gallery_->setToolTip(tr("Double-click: use as garment; Shift+double-click: use as person"));
  gallery_->hide();

  auto* report = new QWidget;
  auto* report_layout = new QVBoxLayout(report);
  report_layout->addWidget(verdict_);
  report_layout->addWidget(error_);
  report_layout->addWidget(details_);
  report_layout->addStretch(1);
  auto* report_scroll = new QScrollArea;
  report_scroll->setWidget(report);
  report_scroll->setWidgetResizable(true);
  report_scroll->setFrameShape(QFrame::NoFrame);
  report_scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  auto* toggles = new QHBoxLayout;
  toggles->addWidget(show_regions_);
  toggles->addWidget(show_landmarks_);
  toggles->addStretch(1);
  auto* side = new QVBoxLayout;
  side->addLayout(toggles);
  side->addWidget(stage_table_);
  side->addWidget(report_scroll, 1);
  auto* side_widget = new QWidget;
  side_widget->setLayout(side);
  auto* main_split = new QSplitter(Qt::Horizontal);
  main_split->addWidget(images);
  main_split->addWidget(side_widget);
  main_split->setSizes({900, 320});

  auto* layout = new QVBoxLayout(this);
  layout->addLayout(controls);
  layout->addWidget(main_split, 1);
  layout->addWidget(gallery_);

  worker_ = worker;
  worker_->moveToThread(&thread_);
  thread_.setObjectName("tierscope-tryon-worker");
  connect(&thread_, &QThread::finished, worker_, &QObject::deleteLater);
  connect(this, &TryOnWidget::requestRun, worker_, &TryOnWorker::run, Qt::QueuedConnection);
  connect(worker_, &TryOnWorker::finished, this, &TryOnWidget::showResult, Qt::QueuedConnection);
  connect(worker_, &TryOnWorker::failed, this, &TryOnWidget::showError, Qt::QueuedConnection);
  thread_.start();

  connect(person_button, &QPushButton::clicked, this, [this] {
    const QString path = QFileDialog::getOpenFileName(this, tr("Person photo"), {}, tr("Images (*.jpg *.jpeg *.png *.webp *.bmp)"));
    if (!path.isEmpty() && setPersonFile(path)) run();
  });
  connect(garment_button, &QPushButton::clicked, this, [this] {
    const QString path = QFileDialog::getOpenFileName(this, tr("Garment photo"), {}, tr("Images (*.jpg *.jpeg *.png *.webp *.bmp)"));
    if (!path.isEmpty() && setGarmentFile(path)) run();
  });
  connect(gallery_button, &QPushButton::clicked, this, [this] {
    const QString folder = QFileDialog::getExistingDirectory(this, tr("Gallery folder"));
    if (!folder.isEmpty()) showGallery(folder);
  });
  connect(gallery_, &QListWidget::itemDoubleClicked, this, [this](QListWidgetItem* item) {
    const QString path = item->data(Qt::UserRole).toString();
    const bool as_person = QGuiApplication::keyboardModifiers() & Qt::ShiftModifier;
    if (as_person ? setPersonFile(path) : setGarmentFile(path)) run();
  });
  connect(demo_, &QComboBox::activated, this, [this](int index) {
    if (index > 0) useDemo(index - 1);
    demo_->setCurrentIndex(0);
  });
  connect(category_, &QComboBox::activated, this, [this] { run(); });
  connect(fill_, &QComboBox::activated, this, [this] { run(); });
  connect(run_button_, &QPushButton::clicked, this, &TryOnWidget::run);
  connect(save_button_, &QPushButton::clicked, this, [this] {
    const QString path = QFileDialog::getSaveFileName(this, tr("Save try-on result"), QStringLiteral("tryon.png"), tr("PNG (*.png)"));
    if (!path.isEmpty()) saveResult(path);
  });
  connect(show_regions_, &QCheckBox::toggled, this, &TryOnWidget::applyOverlayToggles);
  connect(show_landmarks_, &QCheckBox::toggled, this, &TryOnWidget::applyOverlayToggles);
  connect(split_slider_, &QSlider::valueChanged, this, [this](int v) { result_view_->setSplit(v / 100.0); });
  connect(result_view_, &TryOnImageView::splitChanged, this, [this](double f) {
    const QSignalBlocker block(split_slider_);
    split_slider_->setValue(static_cast<int>(f * 100 + 0.5));
  });
  updateButtons();
  // The demo photos take ~150 ms to draw and encode: never on the GUI thread.
  demo_set_ = QtConcurrent::run([] {
    DemoSet d;
    d.person = toBytes(tryon::demo_person_png());
    const tryon::Category kinds[] = {tryon::Category::kUpperBody, tryon::Category::kLowerBody, tryon::Category::kDresses};
    for (int i = 0; i < 3; ++i) d.garments[i] = toBytes(tryon::demo_garment_png(kinds[i]));
    return d;
  });
  auto* demo_watcher = new QFutureWatcher<DemoSet>(this);
  connect(demo_watcher, &QFutureWatcher<DemoSet>::finished, this, [this] {
    if (pending_demo_ >= 0) applyDemo(std::exchange(pending_demo_, -1));
  });
  demo_watcher->setFuture(demo_set_);
}

TryOnWidget::~TryOnWidget() {
  demo_set_.waitForFinished();
  thread_.quit();
  thread_.wait();
}

bool TryOnWidget::setPersonFile(const QString& path) {
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly)) {
    showError(tr("cannot read %1").arg(path));
    return false;
  }
  setPersonBytes(f.readAll(), QFileInfo(path).fileName());
  return true;
}

bool TryOnWidget::setGarmentFile(const QString& path) {
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly)) {
    showError(tr("cannot read %1").arg(path));
    return false;
  }
  setGarmentBytes(f.readAll(), QFileInfo(path).fileName());
  return true;
}

void TryOnWidget::showDecoded(TryOnImageView* view, const QByteArray& bytes, int* generation) {
  const int mine = ++*generation;
  auto* watcher = new QFutureWatcher<QImage>(this);
  connect(watcher, &QFutureWatcher<QImage>::finished, this, [watcher, view, generation, mine] {
    if (*generation == mine) view->setImage(watcher->result());
    watcher->deleteLater();
  });
  watcher->setFuture(QtConcurrent::run([bytes] { return QImage::fromData(bytes); }));
}

void TryOnWidget::setPersonBytes(const QByteArray& bytes, const QString& name) {
  person_bytes_ = bytes;
  showDecoded(person_view_, bytes, &person_generation_);
  person_view_->setOverlay({}, {});
  person_name_->setText(name);
  updateButtons();
}

void TryOnWidget::setGarmentBytes(const QByteArray& bytes, const QString& name) {
  garment_bytes_ = bytes;
  showDecoded(garment_view_, bytes, &garment_generation_);
  garment_view_->setOverlay({}, {});
  garment_name_->setText(name);
  updateButtons();
}

void TryOnWidget::useDemo(int index) {
  if (!demo_set_.isFinished()) {
    pending_demo_ = index;  // applied when the drawing is done (demoReady)
    return;
  }
  applyDemo(index);
}

void TryOnWidget::applyDemo(int index) {
  const DemoSet demo = demo_set_.result();
  static const char* kNames[] = {"demo striped top", "demo trousers", "demo dress"};
  if (person_bytes_.isEmpty() || index == 0) setPersonBytes(demo.person, tr("demo person"));
  if (index >= 1 && index <= 3) {
    setPersonBytes(demo.person, tr("demo person"));
    setGarmentBytes(demo.garments[index - 1], tr(kNames[index - 1]));
  }
  run();
}

void TryOnWidget::showGallery(const QString& folder) {
  gallery_->clear();
  for (const QString& name : ClassificationWorker::imageFilesIn(folder)) {
    const QString path = QDir(folder).filePath(name);
    QImage image(path);
    auto* item = new QListWidgetItem(QIcon(QPixmap::fromImage(image.scaled(72, 96, Qt::KeepAspectRatio, Qt::SmoothTransformation))),
                                     QFileInfo(path).fileName());
    item->setData(Qt::UserRole, path);
    item->setToolTip(path);
    gallery_->addItem(item);
  }
  gallery_->setVisible(gallery_->count() > 0);
}

void TryOnWidget::run() {
  if (person_bytes_.isEmpty() || garment_bytes_.isEmpty()) return;
  if (busy_) {
    rerun_ = true;  // the latest choice runs when the one in progress ends
    return;
  }
  busy_ = true;
  updateButtons();
  verdict_->setText(tr("<i>Working…</i>"));
  TryOnJob job{person_bytes_, garment_bytes_, category_->currentData().toString(), fill_->currentIndex() == 1, false};
  Q_EMIT requestRun(job);
}

bool TryOnWidget::saveResult(const QString& path) {
  QFile f(path);
  if (last_.composite_png.isEmpty() || !f.open(QIODevice::WriteOnly) || f.write(last_.composite_png) != last_.composite_png.size()) {
    showError(tr("cannot save the result to %1").arg(path));
    return false;
  }
  return true;
}

void TryOnWidget::showResult(const TryOnView& view) {
  busy_ = false;
  last_ = view;
  ++results_shown_;
  error_->hide();
  person_view_->setImage(view.person);
  person_view_->setOverlay(view.person_overlay, view.person_landmarks);
  garment_view_->setImage(view.garment);
  garment_view_->setOverlay(view.garment_overlay, view.garment_landmarks);
  result_view_->setImage(view.person);
  result_view_->setCompareImage(view.composite);
  result_view_->setSplit(split_slider_->value() / 100.0);
  stages_.setStages(view.stages);
  stage_table_->resizeColumnsToContents();
  const bool ok = view.verdict == QLatin1String("compatible");
  verdict_->setText(QStringLiteral("<span style='font-size:large; font-weight:bold; color:%1'>%2</span> &nbsp; %3 (%4) — %5 ms%6")
                        .arg(ok ? "#1e8449" : "#b9770e", view.verdict, view.category, view.category_source.toHtmlEscaped())
                        .arg(view.total_ms, 0, 'f', 0)
                        .arg(view.composite_from_cache ? tr(", from cache") : QString()));
  QString html;
  if (!view.reasons.isEmpty()) html += tr("<b>Why partial</b><br>") + htmlList(view.reasons);
  if (!view.warnings.isEmpty()) html += tr("<b>Warnings</b><br>") + htmlList(view.warnings);
  html += tr("<b>Quality</b><br>garment outside the person before clipping: %1 %<br>torso covered: %2 %<br>")
              .arg(100 * view.outside_silhouette, 0, 'f', 1)
              .arg(100 * view.torso_covered, 0, 'f', 1);
  html += tr("<b>Detectors</b><br>") + htmlList(view.detectors);
  details_->setText(html);
  applyOverlayToggles();
  updateButtons();
  Q_EMIT resultShown();
  if (rerun_) {
    rerun_ = false;
    run();
  }
}

void TryOnWidget::showError(const QString& message) {
  busy_ = false;
  // The old result must not stand beside a new error: clear it.
  last_ = {};
  result_view_->clear();
  stages_.setStages({});
  verdict_->clear();
  details_->clear();
  error_->setText(message);
  error_->show();
  updateButtons();
  Q_EMIT resultShown();
  if (rerun_) {
    rerun_ = false;
    run();
  }
}

void TryOnWidget::applyOverlayToggles() {
  for (TryOnImageView* v : {person_view_, garment_view_}) {
    v->setShowRegions(show_regions_->isChecked());
    v->setShowLandmarks(show_landmarks_->isChecked());
  }
}

void TryOnWidget::updateButtons() {
  run_button_->setEnabled(!busy_ && !person_bytes_.isEmpty() && !garment_bytes_.isEmpty());
  run_button_->setText(busy_ ? tr("Working…") : tr("Try on"));
  save_button_->setEnabled(!busy_ && !last_.composite_png.isEmpty());
}

void TryOnWidget::dragEnterEvent(QDragEnterEvent* event) {
  if (event->mimeData()->hasUrls()) event->acceptProposedAction();
}

void TryOnWidget::dropEvent(QDropEvent* event) {
  const QList<QUrl> urls = event->mimeData()->urls();
  if (urls.isEmpty()) return;
  // Two files: person then garment. One file: whichever picture it was dropped on.
  if (urls.size() >= 2) {
    if (setPersonFile(urls[0].toLocalFile()) && setGarmentFile(urls[1].toLocalFile())) run();
    return;
  }
  const QPoint at = event->position().toPoint();
  const bool on_person = person_view_->rect().contains(person_view_->mapFrom(this, at));
  if (on_person ? setPersonFile(urls[0].toLocalFile()) : setGarmentFile(urls[0].toLocalFile())) run();
}

}  // namespace tierscope::ui
