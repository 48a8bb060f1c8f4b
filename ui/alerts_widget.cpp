#include "alerts_widget.h"

#include <QDateTime>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QVBoxLayout>

#include "format.h"
#include "table_setup.h"

namespace tierscope::ui {

AlertsWidget::AlertsWidget(QWidget* parent) : QWidget(parent), model_(new AlertTableModel(this)) {
  table_ = new QTableView;
  table_->setModel(model_);
  setUpRowTable(table_, AlertTableModel::kCondition);
  table_->setMinimumHeight(150);

  name_ = new QLineEdit;
  name_->setPlaceholderText(tr("e.g. Inference slow"));
  metric_ = new QComboBox;
  metric_->setEditable(true);
  metric_->setToolTip(tr("A metric of the monitor: built in, or recorded with add_metric (the list holds those "
                          "with samples so far; any name may be typed)"));
  op_ = new QComboBox;
  op_->addItems({">", ">=", "<", "<=", "==", "!="});
  threshold_ = new QDoubleSpinBox;
  threshold_->setRange(-1e12, 1e12);
  threshold_->setDecimals(3);
  threshold_->setValue(100);
  duration_ = new QDoubleSpinBox;
  duration_->setRange(0, 86400);
  duration_->setSuffix(tr(" s"));
  duration_->setValue(30);
  add_ = new QPushButton(tr("Add or replace rule"));
  remove_ = new QPushButton(tr("Remove selected rule"));
  remove_->setEnabled(false);
  connect(add_, &QPushButton::clicked, this, [this] {
    Q_EMIT addRuleRequested(name_->text(), metric_->currentText(), op_->currentText(), threshold_->value(),
                            duration_->value());
  });
  connect(remove_, &QPushButton::clicked, this, [this] {
    if (const AlertSample* a = model_->alert(table_->currentIndex().row())) Q_EMIT removeRuleRequested(a->name);
  });
  connect(table_->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this](const QModelIndex& current) {
    const AlertSample* a = model_->alert(current.row());
    remove_->setEnabled(a != nullptr);
    if (!a) return;
    // Selecting a rule fills the form, so editing one is select, change, add.
    name_->setText(a->name);
    metric_->setCurrentText(a->metric);
    op_->setCurrentText(a->op);
    threshold_->setValue(a->threshold);
    duration_->setValue(a->duration_seconds);
  });

  auto* form_box = new QGroupBox(tr("Rule"));
  auto* form = new QFormLayout(form_box);
  form->addRow(tr("Name"), name_);
  form->addRow(tr("Metric"), metric_);
  auto* condition = new QHBoxLayout;
  condition->addWidget(op_);
  condition->addWidget(threshold_, 1);
  form->addRow(tr("Fires when value"), condition);
  form->addRow(tr("for at least"), duration_);
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(add_);
  buttons->addWidget(remove_);
  buttons->addStretch();
  form->addRow(buttons);

  history_ = new QListWidget;
  history_->setMaximumHeight(140);
  auto* history_box = new QGroupBox(tr("Transitions"));
  auto* hl = new QVBoxLayout(history_box);
  hl->addWidget(history_);

  health_ = new QLabel;
  health_->setObjectName("systemHealth");
  health_->setToolTip(tr("get_system_health: the machine's CPU and memory in use, and this process's CPU "
                         "(100 % = one core busy)"));
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(health_);
  layout->addWidget(new QLabel(tr("Rules are checked every second against the latest sample of their metric; a "
                                  "metric without a recent sample meets no condition.")));
  layout->addWidget(table_, 2);
  auto* bottom = new QHBoxLayout;
  bottom->addWidget(form_box, 1);
  bottom->addWidget(history_box, 1);
  layout->addLayout(bottom);
}

void AlertsWidget::addSample(const EngineSample& sample) {
  // Keep the selection on the same rule across updates.
  const AlertSample* selected = model_->alert(table_->currentIndex().row());
  const QString keep = selected ? selected->name : QString();
  model_->setAlerts(sample.alerts);
  if (!keep.isEmpty() && !table_->currentIndex().isValid()) {
    for (int r = 0; r < model_->rowCount(); ++r) {
      if (model_->alert(r)->name == keep) table_->setCurrentIndex(model_->index(r, 0));
    }
  }
  firing_ = sample.alerts_firing;
  for (const QString& name : sample.metric_names) {
    if (metric_->findText(name) < 0) metric_->addItem(name);
  }
  health_->setText(tr("<b>System health</b>: machine CPU %1 %, memory %2 % · this process CPU %3 %, RSS %4")
                       .arg(sample.system_cpu_percent, 0, 'f', 0)
                       .arg(sample.system_memory_percent, 0, 'f', 0)
                       .arg(sample.process_cpu_percent, 0, 'f', 0)
                       .arg(humanBytes(double(sample.process_rss_bytes))));
  const QString now = QDateTime::currentDateTime().toString("HH:mm:ss");
  for (const AlertSample& a : sample.alerts) {
    const QString before = last_state_.value(a.name, QStringLiteral("ok"));
    if (before != a.state && (a.state == QLatin1String("firing") || before == QLatin1String("firing"))) {
      auto* item = new QListWidgetItem(
          a.state == QLatin1String("firing")
              ? tr("%1  FIRING  %2 (%3 = %4)").arg(now, a.name, a.metric).arg(a.value, 0, 'g', 4)
              : tr("%1  resolved  %2").arg(now, a.name));
      item->setForeground(a.state == QLatin1String("firing") ? QColor("#c0392b") : QColor("#27ae60"));
      history_->insertItem(0, item);
    }
    last_state_[a.name] = a.state;
  }
  while (history_->count() > 200) delete history_->takeItem(history_->count() - 1);
}

}  // namespace tierscope::ui
