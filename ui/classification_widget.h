// ClassificationWidget: the Classification tab — drop or pick an image to see its top-5
// classes as bars, its try-on category, whether it came from the prediction cache and
// how long it took; or pick a folder to fill a table with a progress bar (cancellable)
// and export it as CSV. All classification runs on a ClassificationWorker thread.
//
// Ownership: a QWidget owned by its Qt parent; owns the worker thread and stops it in
// its destructor. Borrows the Classifier (must outlive the widget).
// Thread safety: GUI thread only.
#pragma once

#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QTableView>
#include <QThread>
#include <QWidget>

#include "classification_row.h"
#include "classification_table_model.h"

namespace tierscope {
class Classifier;
}

namespace tierscope::ui {

class ClassificationWorker;

class ClassificationWidget : public QWidget {
  Q_OBJECT

 public:
  explicit ClassificationWidget(Classifier& classifier, QWidget* parent = nullptr);
  // Over any worker (a server's /predict, say); takes ownership of it.
  explicit ClassificationWidget(ClassificationWorker* worker, QWidget* parent = nullptr);
  ~ClassificationWidget() override;

  // What the buttons and drops call; public for tests.
  void classifyFile(const QString& path);
  void classifyFolder(const QString& folder);
  void cancelFolder();
  // Writes the table as CSV; false (and a message) when the file cannot be written.
  bool exportCsv(const QString& path);

  ClassificationTableModel* tableModel() { return &table_model_; }
  QProgressBar* progressBar() const { return progress_; }
  QLabel* resultLabel() const { return result_label_; }
  const ClassificationRow& lastResult() const { return last_; }
  int resultsShown() const { return results_shown_; }
  bool folderRunning() const { return folder_running_; }

 Q_SIGNALS:
  void requestFile(const QString& path);
  void requestFolder(const QString& folder);

 protected:
  void dragEnterEvent(QDragEnterEvent* event) override;
  void dropEvent(QDropEvent* event) override;

 private:
  void showResult(const ClassificationRow& row);  // a new answer from the worker
  void display(const ClassificationRow& row);     // bars, label and preview of any row
  void onFolderStarted(int total);
  void onFolderRow(const ClassificationRow& row, int done, int total);
  void onFolderFinished(int done, int total, bool cancelled);

  QThread thread_;
  ClassificationWorker* worker_;
  ClassificationTableModel table_model_;
  ClassificationRow last_;
  int results_shown_ = 0;
  bool folder_running_ = false;

  QLabel* preview_;
  QLabel* result_label_;
  QList<QLabel*> class_labels_;
  QList<QProgressBar*> class_bars_;
  QPushButton* cancel_button_;
  QPushButton* export_button_;
  QProgressBar* progress_;
  QTableView* table_;

 public:
  QTableView* tableView() const { return table_; }
};

}  // namespace tierscope::ui
