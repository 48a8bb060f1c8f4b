#include "classification_widget.h"

#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QMessageBox>
#include <QMimeData>
#include <QPixmap>
#include <QVBoxLayout>

#include "classification_worker.h"

namespace tierscope::ui {

ClassificationWidget::ClassificationWidget(Classifier& classifier, QWidget* parent)
    : ClassificationWidget(new ClassificationWorker(classifier), parent) {}

ClassificationWidget::ClassificationWidget(ClassificationWorker* worker, QWidget* parent) : QWidget(parent) {
  qRegisterMetaType<ClassificationRow>("tierscope::ui::ClassificationRow");
  setAcceptDrops(true);

  auto* open_button = new QPushButton(tr("Open image…"));
  auto* folder_button = new QPushButton(tr("Classify folder…"));
  cancel_button_ = new QPushButton(tr("Cancel"));
  cancel_button_->setEnabled(false);
  export_button_ = new QPushButton(tr("Export CSV…"));
  export_button_->setEnabled(false);
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(open_button);
  buttons->addWidget(folder_button);
  buttons->addWidget(cancel_button_);
  buttons->addStretch(1);
  buttons->addWidget(export_button_);

  preview_ = new QLabel(tr("Drop an image here"));
  preview_->setAlignment(Qt::AlignCenter);
  preview_->setMinimumSize(220, 260);
  preview_->setFrameShape(QFrame::StyledPanel);
  result_label_ = new QLabel;
  result_label_->setObjectName("resultLabel");
  result_label_->setWordWrap(true);
  auto* bars = new QGridLayout;
  for (int i = 0; i < 5; ++i) {
    auto* label = new QLabel;
    label->setMinimumWidth(120);
    auto* bar = new QProgressBar;
    bar->setRange(0, 1000);
    bar->setFormat("%p %");
    bar->setTextVisible(true);
    bars->addWidget(label, i, 0);
    bars->addWidget(bar, i, 1);
    class_labels_ << label;
    class_bars_ << bar;
  }
  auto* result_box = new QGroupBox(tr("Result"));
  auto* result_layout = new QVBoxLayout(result_box);
  result_layout->addLayout(bars);
  result_layout->addWidget(result_label_);
  result_layout->addStretch(1);
  auto* top = new QHBoxLayout;
  top->addWidget(preview_);
  top->addWidget(result_box, 1);

  progress_ = new QProgressBar;
  progress_->setRange(0, 1);
  progress_->setValue(0);
  table_ = new QTableView;
  table_->setModel(&table_model_);
  table_->horizontalHeader()->setStretchLastSection(true);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);

  auto* layout = new QVBoxLayout(this);
  layout->addLayout(buttons);
  layout->addLayout(top);
  layout->addWidget(progress_);
  layout->addWidget(table_, 1);

  worker_ = worker;
  worker_->moveToThread(&thread_);
  thread_.setObjectName("tierscope-classify");
  connect(&thread_, &QThread::finished, worker_, &QObject::deleteLater);
  connect(this, &ClassificationWidget::requestFile, worker_, &ClassificationWorker::classifyFile, Qt::QueuedConnection);
  connect(this, &ClassificationWidget::requestFolder, worker_, &ClassificationWorker::classifyFolder, Qt::QueuedConnection);
  connect(worker_, &ClassificationWorker::fileClassified, this, &ClassificationWidget::showResult, Qt::QueuedConnection);
  connect(worker_, &ClassificationWorker::folderStarted, this, &ClassificationWidget::onFolderStarted, Qt::QueuedConnection);
  connect(worker_, &ClassificationWorker::folderRowReady, this, &ClassificationWidget::onFolderRow, Qt::QueuedConnection);
  connect(worker_, &ClassificationWorker::folderFinished, this, &ClassificationWidget::onFolderFinished, Qt::QueuedConnection);
  thread_.start();

  connect(open_button, &QPushButton::clicked, this, [this] {
    const QString path = QFileDialog::getOpenFileName(this, tr("Classify an image"), {},
                                                      tr("Images (*.jpg *.jpeg *.png *.bmp *.gif *.webp)"));
    if (!path.isEmpty()) classifyFile(path);
  });
  connect(folder_button, &QPushButton::clicked, this, [this] {
    const QString folder = QFileDialog::getExistingDirectory(this, tr("Classify every image in a folder"));
    if (!folder.isEmpty()) classifyFolder(folder);
  });
  connect(cancel_button_, &QPushButton::clicked, this, &ClassificationWidget::cancelFolder);
  // Selecting a row of a folder run shows that image's bars and preview.
  connect(table_->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this](const QModelIndex& current) {
    if (!current.isValid()) return;
    const ClassificationRow& row = table_model_.row(current.row());
    QPixmap pixmap(row.path);
    if (!pixmap.isNull()) preview_->setPixmap(pixmap.scaled(preview_->size(), Qt::KeepAspectRatio, Qt::SmoothTransformation));
    display(row);
  });
  connect(export_button_, &QPushButton::clicked, this, [this] {
    const QString path = QFileDialog::getSaveFileName(this, tr("Export results"), "classification.csv", tr("CSV (*.csv)"));
    if (!path.isEmpty()) exportCsv(path);
  });
}

ClassificationWidget::~ClassificationWidget() {
  worker_->requestCancel();
  thread_.quit();
  thread_.wait();
}

void ClassificationWidget::classifyFile(const QString& path) {
  QPixmap pixmap(path);
  // The old picture never stands beside a new answer (or a new error).
  if (!pixmap.isNull()) {
    preview_->setPixmap(pixmap.scaled(preview_->size(), Qt::KeepAspectRatio, Qt::SmoothTransformation));
  } else {
    preview_->clear();
    preview_->setText(tr("no preview"));
  }
  result_label_->setText(tr("Classifying %1…").arg(QFileInfo(path).fileName()));
  Q_EMIT requestFile(path);
}

void ClassificationWidget::classifyFolder(const QString& folder) {
  if (folder_running_) return;
  folder_running_ = true;
  table_model_.clear();
  cancel_button_->setEnabled(true);
  export_button_->setEnabled(false);
  Q_EMIT requestFolder(folder);
}

void ClassificationWidget::cancelFolder() { worker_->requestCancel(); }

bool ClassificationWidget::exportCsv(const QString& path) {
  QFile file(path);
  if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(table_model_.toCsv().toUtf8()) < 0) {
    QMessageBox::warning(this, tr("Export failed"), tr("Cannot write %1: %2").arg(path, file.errorString()));
    return false;
  }
  return true;
}

void ClassificationWidget::showResult(const ClassificationRow& row) {
  last_ = row;
  ++results_shown_;
  display(row);
}

void ClassificationWidget::display(const ClassificationRow& row) {
  if (!row.ok()) {
    preview_->clear();
    preview_->setText(tr("no preview"));
    result_label_->setText(tr("<b>%1</b>: <span style='color:#c0392b'>%2</span>")
                               .arg(QFileInfo(row.path).fileName().toHtmlEscaped(), row.error.toHtmlEscaped()));
    for (int i = 0; i < class_bars_.size(); ++i) {
      class_labels_[i]->clear();
      class_bars_[i]->setValue(0);
    }
    return;
  }
  for (int i = 0; i < class_bars_.size(); ++i) {
    const bool has = i < row.classes.size();
    class_labels_[i]->setText(has ? row.classes[i] : QString());
    class_bars_[i]->setValue(has ? int(row.probabilities[i] * 1000) : 0);
  }
  if (!row.doubt.isEmpty()) {
    result_label_->setText(tr("<b>%1</b>: <span style='color:#b9770e'>no answer</span> — %2 (%3 ms%4, %5x%6 px)")
                               .arg(QFileInfo(row.path).fileName().toHtmlEscaped(), row.doubt.toHtmlEscaped())
                               .arg(row.time_ms, 0, 'f', 1)
                               .arg(row.from_cache ? tr(", from cache") : QString())
                               .arg(row.width)
                               .arg(row.height));
    return;
  }
  result_label_->setText(tr("<b>%1</b>: %2 — category <b>%3</b>, %4 ms%5, %6x%7 px")
                             .arg(QFileInfo(row.path).fileName().toHtmlEscaped(), row.classes.value(0), row.category)
                             .arg(row.time_ms, 0, 'f', 1)
                             .arg(row.from_cache ? tr(", from cache") : QString())
                             .arg(row.width)
                             .arg(row.height));
}

void ClassificationWidget::onFolderStarted(int total) {
  progress_->setRange(0, std::max(total, 1));
  progress_->setValue(0);
  progress_->setFormat(tr("%v / %m images"));
}

void ClassificationWidget::onFolderRow(const ClassificationRow& row, int done, int /*total*/) {
  table_model_.append(row);
  progress_->setValue(done);
}

void ClassificationWidget::onFolderFinished(int done, int total, bool cancelled) {
  folder_running_ = false;
  cancel_button_->setEnabled(false);
  export_button_->setEnabled(table_model_.rowCount() > 0);
  progress_->setFormat(cancelled ? tr("cancelled after %1 of %2 images").arg(done).arg(total) : tr("%1 images").arg(total));
}

void ClassificationWidget::dragEnterEvent(QDragEnterEvent* event) {
  if (event->mimeData()->hasUrls()) event->acceptProposedAction();
}

void ClassificationWidget::dropEvent(QDropEvent* event) {
  const QList<QUrl> urls = event->mimeData()->urls();
  if (urls.isEmpty() || !urls.first().isLocalFile()) return;
  const QString path = urls.first().toLocalFile();
  if (QFileInfo(path).isDir()) {
    classifyFolder(path);
  } else {
    classifyFile(path);
  }
  event->acceptProposedAction();
}

}  // namespace tierscope::ui
