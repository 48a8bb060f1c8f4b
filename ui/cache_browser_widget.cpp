#include "cache_browser_widget.h"

#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QImage>
#include <QJsonDocument>
#include <QMessageBox>
#include <QPixmap>
#include <QSignalBlocker>
#include <QSplitter>
#include <QStringDecoder>
#include <QVBoxLayout>

#include "format.h"
#include "tierscope/engine.h"

namespace tierscope::ui {

namespace {

// "00000000  48 65 6c 6c 6f ...  |Hello...|" for the first `limit` bytes.
QString hexDump(const QByteArray& bytes, qsizetype limit = 4096) {
  QString out;
  const qsizetype n = std::min(bytes.size(), limit);
  for (qsizetype off = 0; off < n; off += 16) {
    QString hex, ascii;
    for (qsizetype i = off; i < off + 16; ++i) {
      if (i < n) {
        const auto c = static_cast<unsigned char>(bytes[i]);
        hex += QStringLiteral("%1 ").arg(c, 2, 16, QLatin1Char('0'));
        ascii += (c >= 32 && c < 127) ? QChar(c) : QChar('.');
      } else {
        hex += QStringLiteral("   ");
      }
    }
    out += QStringLiteral("%1  %2 |%3|\n").arg(off, 8, 16, QLatin1Char('0')).arg(hex, ascii);
  }
  if (bytes.size() > n) out += QObject::tr("… %L1 more bytes\n").arg(bytes.size() - n);
  return out;
}

// Valid UTF-8 with (almost) no control characters other than whitespace.
bool looksLikeText(const QByteArray& bytes) {
  if (bytes.isEmpty()) return true;
  auto decoder = QStringDecoder(QStringDecoder::Utf8);
  const QString s = decoder(bytes);
  if (decoder.hasError()) return false;
  qsizetype control = 0;
  for (QChar c : s) {
    if (c.unicode() < 32 && c != '\n' && c != '\r' && c != '\t') ++control;
  }
  return control * 100 <= s.size();
}

}  // namespace

CacheBrowserWidget::CacheBrowserWidget(Engine& engine, QWidget* parent)
    : CacheBrowserWidget(new CacheBrowserWorker(engine), parent) {
  // The embedded engine answers at once: no wait for describe().
  QStringList names;
  for (const std::string& name : engine.cache().namespace_names()) names << QString::fromStdString(name);
  setNamespaces(names, QString::fromStdString(engine.demo_namespace()), engine.cache().has_l2());
}

void CacheBrowserWidget::setNamespaces(const QStringList& names, const QString& current, bool has_l2) {
  const QSignalBlocker quiet(namespace_);
  namespace_->clear();
  namespace_->addItems(names);
  if (!current.isEmpty()) namespace_->setCurrentText(current);
  tier_->setEnabled(has_l2);
  if (!has_l2) tier_->setCurrentIndex(0);
}

CacheBrowserWidget::CacheBrowserWidget(CacheBrowserBackend* backend, QWidget* parent)
    : QWidget(parent), worker_(backend), model_(new CacheBrowserModel(this)) {
  qRegisterMetaType<BrowserPage>("tierscope::ui::BrowserPage");
  qRegisterMetaType<BrowserPreview>("tierscope::ui::BrowserPreview");
  qRegisterMetaType<MemoryAnalysis>("tierscope::MemoryAnalysis");
  confirm_ = [this](const QString& question) {
    return QMessageBox::question(this, tr("Cache browser"), question) == QMessageBox::Yes;
  };
  worker_->moveToThread(&thread_);
  connect(&thread_, &QThread::finished, worker_, &QObject::deleteLater);
  connect(this, &CacheBrowserWidget::requestQuery, worker_, &CacheBrowserBackend::query, Qt::QueuedConnection);
  connect(this, &CacheBrowserWidget::requestInspect, worker_, &CacheBrowserBackend::inspect, Qt::QueuedConnection);
  connect(this, &CacheBrowserWidget::requestInvalidateKeys, worker_, &CacheBrowserBackend::invalidateKeys,
          Qt::QueuedConnection);
  connect(this, &CacheBrowserWidget::requestInvalidatePattern, worker_, &CacheBrowserBackend::invalidatePattern,
          Qt::QueuedConnection);
  connect(this, &CacheBrowserWidget::requestClearAll, worker_, &CacheBrowserBackend::clearAll, Qt::QueuedConnection);
  connect(this, &CacheBrowserWidget::requestAnalysis, worker_, &CacheBrowserBackend::analyze, Qt::QueuedConnection);
  connect(worker_, &CacheBrowserBackend::pageReady, this, &CacheBrowserWidget::onPage, Qt::QueuedConnection);
  connect(worker_, &CacheBrowserBackend::previewReady, this, &CacheBrowserWidget::onPreview, Qt::QueuedConnection);
  connect(worker_, &CacheBrowserBackend::analysisReady, this, &CacheBrowserWidget::onAnalysis, Qt::QueuedConnection);
  connect(worker_, &CacheBrowserBackend::invalidated, this, [this](const QString& message) {
    status_->setText(message);
    refresh(model_->page().offset);
  }, Qt::QueuedConnection);
  connect(worker_, &CacheBrowserBackend::failed, this, [this](const QString& message) {
    ++answers_;
    status_->setText(tr("Error: %1").arg(message));
  }, Qt::QueuedConnection);
  thread_.setObjectName("ts-browser");
  thread_.start(QThread::LowPriority);

  namespace_ = new QComboBox;
  tier_ = new QComboBox;
  tier_->addItem(tr("L1 (memory)"));
  tier_->addItem(tr("L2 (disk)"));
  tier_->setEnabled(false);
  connect(worker_, &CacheBrowserBackend::described, this,
          [this](const QStringList& names, const QString& current, bool has_l2) {
            if (namespace_->count() > 0) return;  // already known (the embedded engine's)
            setNamespaces(names, current, has_l2);
            refresh();
          },
          Qt::QueuedConnection);
  QMetaObject::invokeMethod(worker_, &CacheBrowserBackend::describe, Qt::QueuedConnection);
  filter_ = new QLineEdit;
  filter_->setPlaceholderText(tr("Key filter (glob: persona:*, *.jpg, img-?)"));
  filter_->setClearButtonEnabled(true);
  refresh_ = new QPushButton(tr("Refresh"));
  previous_ = new QPushButton(tr("◀ Previous"));
  next_ = new QPushButton(tr("Next ▶"));
  page_label_ = new QLabel;
  page_label_->setObjectName("browserPageLabel");
  connect(namespace_, &QComboBox::currentIndexChanged, this, [this] { refresh(); });
  connect(tier_, &QComboBox::currentIndexChanged, this, [this] { refresh(); });
  connect(filter_, &QLineEdit::returnPressed, this, [this] { refresh(); });
  connect(refresh_, &QPushButton::clicked, this, [this] { refresh(model_->page().offset); });
  connect(previous_, &QPushButton::clicked, this, &CacheBrowserWidget::previousPage);
  connect(next_, &QPushButton::clicked, this, &CacheBrowserWidget::nextPage);

  table_ = new QTableView;
  table_->setModel(model_);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setSelectionMode(QAbstractItemView::ExtendedSelection);
  table_->horizontalHeader()->setSectionResizeMode(CacheBrowserModel::kKey, QHeaderView::Stretch);
  for (int c = CacheBrowserModel::kSize; c < CacheBrowserModel::kColumnCount; ++c) {
    table_->horizontalHeader()->setSectionResizeMode(c, QHeaderView::ResizeToContents);
  }
  connect(table_->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this](const QModelIndex& current) {
    if (const BrowserRow* r = model_->row(current.row())) {
      Q_EMIT requestInspect(model_->page().ns, model_->page().tier, r->key);
    }
  });

  preview_info_ = new QLabel(tr("Select an entry to preview its value (reading it here counts no hit)."));
  preview_info_->setWordWrap(true);
  preview_image_ = new QLabel;
  preview_image_->setAlignment(Qt::AlignCenter);
  preview_image_->setMinimumSize(200, 200);
  preview_text_ = new QPlainTextEdit;
  preview_text_->setReadOnly(true);
  preview_text_->setLineWrapMode(QPlainTextEdit::NoWrap);
  QFont mono(QStringLiteral("monospace"));
  mono.setStyleHint(QFont::Monospace);
  preview_text_->setFont(mono);
  preview_stack_ = new QStackedWidget;
  preview_stack_->addWidget(preview_text_);
  preview_stack_->addWidget(preview_image_);

  invalidate_selected_ = new QPushButton(tr("Invalidate selected"));
  invalidate_matching_ = new QPushButton(tr("Invalidate matching filter…"));
  clear_all_ = new QPushButton(tr("Clear everything…"));
  clear_all_->setStyleSheet(QStringLiteral("QPushButton { color: #c0392b; }"));
  connect(invalidate_selected_, &QPushButton::clicked, this, &CacheBrowserWidget::invalidateSelected);
  connect(invalidate_matching_, &QPushButton::clicked, this, &CacheBrowserWidget::invalidateMatching);
  connect(clear_all_, &QPushButton::clicked, this, &CacheBrowserWidget::clearEverything);

  analyze_ = new QPushButton(tr("Analyze memory"));
  connect(analyze_, &QPushButton::clicked, this, &CacheBrowserWidget::analyze);
  analysis_ = new QTreeWidget;
  analysis_->setColumnCount(3);
  analysis_->setHeaderLabels({tr("What"), tr("Entries"), tr("Bytes")});
  analysis_->header()->setSectionResizeMode(0, QHeaderView::Stretch);
  analysis_->setMinimumHeight(160);

  auto_refresh_ = new QCheckBox(tr("Auto-refresh"));
  auto_refresh_->setToolTip(tr("Re-read this page and the memory analysis every 5 s while the tab is visible"));
  auto_refresh_->setChecked(true);
  auto_timer_ = new QTimer(this);
  auto_timer_->setInterval(5'000);
  connect(auto_timer_, &QTimer::timeout, this, [this] {
    if (!auto_refresh_->isChecked() || !isVisible()) return;
    refresh(model_->page().offset);
    analyze();
  });
  auto_timer_->start();

  status_ = new QLabel;
  status_->setObjectName("browserStatus");
  status_->setWordWrap(true);

  auto* top = new QHBoxLayout;
  top->addWidget(namespace_);
  top->addWidget(tier_);
  top->addWidget(filter_, 1);
  top->addWidget(refresh_);
  top->addWidget(auto_refresh_);
  top->addWidget(previous_);
  top->addWidget(page_label_);
  top->addWidget(next_);

  auto* preview_box = new QGroupBox(tr("Value"));
  auto* pl = new QVBoxLayout(preview_box);
  pl->addWidget(preview_info_);
  pl->addWidget(preview_stack_, 1);

  auto* split = new QSplitter(Qt::Horizontal);
  split->setObjectName("browserSplitter");
  split->addWidget(table_);
  split->addWidget(preview_box);
  split->setStretchFactor(0, 3);
  split->setStretchFactor(1, 2);

  auto* actions = new QHBoxLayout;
  actions->addWidget(invalidate_selected_);
  actions->addWidget(invalidate_matching_);
  actions->addWidget(clear_all_);
  actions->addStretch();
  actions->addWidget(analyze_);

  auto* analysis_box = new QGroupBox(tr("Memory analysis"));
  auto* al = new QVBoxLayout(analysis_box);
  al->addWidget(analysis_);

  auto* layout = new QVBoxLayout(this);
  layout->addLayout(top);
  layout->addWidget(split, 3);
  layout->addLayout(actions);
  layout->addWidget(status_);
  layout->addWidget(analysis_box, 2);
}

CacheBrowserWidget::~CacheBrowserWidget() {
  thread_.quit();
  thread_.wait();
}

void CacheBrowserWidget::showEvent(QShowEvent* event) {
  QWidget::showEvent(event);
  if (!shown_once_) {
    shown_once_ = true;
    refresh();
    analyze();
  }
}

QString CacheBrowserWidget::pattern() const {
  const QString p = filter_->text().trimmed();
  return p.isEmpty() ? QStringLiteral("*") : p;
}

void CacheBrowserWidget::refresh(quint64 offset) {
  if (namespace_->count() == 0) return;  // the backend has not described its namespaces yet
  Q_EMIT requestQuery(++request_, namespace_->currentText(), tier_->currentIndex(), pattern(), offset, kPageSize);
}

void CacheBrowserWidget::nextPage() {
  const BrowserPage& p = model_->page();
  if (p.offset + kPageSize < p.total) refresh(p.offset + kPageSize);
}

void CacheBrowserWidget::previousPage() {
  const BrowserPage& p = model_->page();
  refresh(p.offset >= quint64(kPageSize) ? p.offset - kPageSize : 0);
}

void CacheBrowserWidget::onPage(const BrowserPage& page) {
  ++answers_;
  if (page.request != request_) return;  // a newer query is on its way
  // Keep the selected entry selected across a refresh (without previewing it again).
  const BrowserRow* selected = model_->row(table_->currentIndex().row());
  const QString keep = selected ? selected->key : QString();
  model_->setPage(page);
  if (!keep.isEmpty()) {
    for (int r = 0; r < model_->rowCount(); ++r) {
      if (model_->row(r)->key != keep) continue;
      const QSignalBlocker block(table_->selectionModel());
      table_->selectRow(r);
      break;
    }
  }
  const quint64 first = page.rows.isEmpty() ? 0 : page.offset + 1;
  page_label_->setText(tr("%L1–%L2 of %L3").arg(first).arg(page.offset + quint64(page.rows.size())).arg(page.total));
  previous_->setEnabled(page.offset > 0);
  next_->setEnabled(page.offset + quint64(page.rows.size()) < page.total);
}

void CacheBrowserWidget::onPreview(const BrowserPreview& p) {
  ++answers_;
  if (!p.found) {
    preview_kind_ = QStringLiteral("none");
    preview_info_->setText(tr("%1 is no longer in %2 (expired, evicted or invalidated).")
                               .arg(p.key, p.tier == 0 ? tr("L1") : tr("L2")));
    preview_text_->clear();
    preview_stack_->setCurrentWidget(preview_text_);
    return;
  }
  preview_info_->setText(tr("<b>%1</b> — %2 in %3, age %4, TTL left %5")
                             .arg(p.key.toHtmlEscaped(), humanBytes(double(p.value_bytes)),
                                  p.tier == 0 ? tr("L1") : tr("L2"), humanSeconds(p.info.age_seconds),
                                  p.info.ttl_left_seconds < 0 ? tr("never expires") : humanSeconds(p.info.ttl_left_seconds)));
  QImage image;
  if (p.head.size() == qsizetype(p.value_bytes) && image.loadFromData(p.head)) {
    preview_kind_ = QStringLiteral("image");
    preview_image_->setPixmap(QPixmap::fromImage(image).scaled(360, 360, Qt::KeepAspectRatio, Qt::SmoothTransformation));
    preview_image_->setToolTip(tr("%1 × %2 pixels").arg(image.width()).arg(image.height()));
    preview_stack_->setCurrentWidget(preview_image_);
    return;
  }
  QJsonParseError error{};
  const QJsonDocument json = QJsonDocument::fromJson(p.head, &error);
  if (error.error == QJsonParseError::NoError && !json.isNull()) {
    preview_kind_ = QStringLiteral("json");
    preview_text_->setPlainText(QString::fromUtf8(json.toJson(QJsonDocument::Indented)));
  } else if (looksLikeText(p.head)) {
    preview_kind_ = QStringLiteral("text");
    preview_text_->setPlainText(QString::fromUtf8(p.head));
  } else {
    preview_kind_ = QStringLiteral("hex");
    preview_text_->setPlainText(hexDump(p.head));
  }
  preview_stack_->setCurrentWidget(preview_text_);
}

void CacheBrowserWidget::invalidateSelected() {
  QStringList keys;
  for (const QModelIndex& i : table_->selectionModel()->selectedRows()) {
    if (const BrowserRow* r = model_->row(i.row())) keys << r->key;
  }
  if (keys.isEmpty()) {
    status_->setText(tr("Select the entries to invalidate first."));
    return;
  }
  Q_EMIT requestInvalidateKeys(model_->page().ns, keys);
}

void CacheBrowserWidget::invalidateMatching() {
  const QString ns = namespace_->currentText();
  if (!confirm_(tr("Invalidate every entry of %1 whose key matches '%2', in L1 and L2?").arg(ns, pattern()))) return;
  Q_EMIT requestInvalidatePattern(ns, pattern());
}

void CacheBrowserWidget::clearEverything() {
  if (!confirm_(tr("Clear every tier of every namespace? Every request will go to the origin until the cache "
                   "warms up again."))) {
    return;
  }
  Q_EMIT requestClearAll();
}

void CacheBrowserWidget::analyze() {
  Q_EMIT requestAnalysis(10);
}

void CacheBrowserWidget::onAnalysis(const MemoryAnalysis& a) {
  ++answers_;
  analysis_->clear();
  auto group = [this](const QString& title) {
    auto* item = new QTreeWidgetItem(analysis_, {title});
    QFont bold = item->font(0);
    bold.setBold(true);
    item->setFont(0, bold);
    item->setExpanded(true);
    return item;
  };
  auto* namespaces = group(tr("Namespaces (L1 + L2)"));
  for (const NamespaceUsage& n : a.namespaces) {
    new QTreeWidgetItem(namespaces, {QString::fromStdString(n.name),
                                     QLocale().toString(qulonglong(n.l1_entries + n.l2_entries)),
                                     tr("%1 (L1 %2, L2 %3)")
                                         .arg(humanBytes(double(n.l1_bytes + n.l2_bytes)), humanBytes(double(n.l1_bytes)),
                                              humanBytes(double(n.l2_bytes)))});
  }
  auto* prefixes = group(tr("Key prefixes"));
  for (const PrefixUsage& p : a.prefixes) {
    new QTreeWidgetItem(prefixes, {QString::fromStdString(p.prefix.empty() ? "(none)" : p.prefix),
                                   QLocale().toString(qulonglong(p.entries)), humanBytes(double(p.bytes))});
  }
  auto* largest = group(tr("Largest entries"));
  for (const EntryInfo& e : a.largest) {
    new QTreeWidgetItem(largest, {QString::fromStdString(e.key), QStringLiteral("1"), humanBytes(double(e.bytes))});
  }
  auto* ttl = group(tr("TTL left"));
  for (size_t i = 0; i < MemoryAnalysis::kTtlBuckets; ++i) {
    new QTreeWidgetItem(ttl, {QString::fromUtf8(MemoryAnalysis::ttl_bucket_name(i)),
                              QLocale().toString(qulonglong(a.ttl_spread[i])), QString()});
  }
}

}  // namespace tierscope::ui
