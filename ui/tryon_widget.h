// TryOnWidget: the Try-on tab — pick or drop a person and a garment photo (or take them
// from the drawn demo set or a folder gallery), category auto or forced, and see person,
// garment and result side by side: a before/after split to drag, overlays of the
// regions and landmarks, the stage timings with their cache badges, the verdict with its
// reasons and warnings; save the result. The pipeline runs on a TryOnWorker thread, so
// the GUI never waits for it.
//
// Ownership: a QWidget owned by its Qt parent; owns the worker and its thread and stops it
// in its destructor. Borrows the TryOnPipeline, if given one (must outlive the widget).
// Thread safety: GUI thread only.
#pragma once

#include <QCheckBox>
#include <QComboBox>
#include <QFuture>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QSlider>
#include <QTableView>
#include <QThread>
#include <QWidget>

#include "tryon_stage_model.h"
#include "tryon_view.h"
#include "tryon_worker.h"

namespace tierscope::ui {

class TryOnImageView;

class TryOnWidget : public QWidget {
  Q_OBJECT

 public:
  explicit TryOnWidget(tryon::TryOnPipeline& pipeline, QWidget* parent = nullptr);
  // Runs try-ons through `worker` (taken over: moved to the tab's thread), e.g. one that
  // asks a server (remote_tryon.h).
  explicit TryOnWidget(TryOnWorker* worker, QWidget* parent = nullptr);
  ~TryOnWidget() override;

  // What the buttons, the demo list and drops call; public for tests and the command line.
  bool setPersonFile(const QString& path);
  bool setGarmentFile(const QString& path);
  void setPersonBytes(const QByteArray& bytes, const QString& name);
  void setGarmentBytes(const QByteArray& bytes, const QString& name);
  void useDemo(int index);  // 0 = the person, 1 top, 2 trousers, 3 dress (with the demo person)
  void showGallery(const QString& folder);
  void run();
  // Writes the last result as PNG; false (and a message) when it cannot.
  bool saveResult(const QString& path);

  // Working on a try-on, or waiting for the demo photos to be drawn before starting one.
  bool busy() const { return busy_ || pending_demo_ >= 0; }
  int resultsShown() const { return results_shown_; }
  const TryOnView& lastResult() const { return last_; }
  QLabel* verdictLabel() const { return verdict_; }
  QLabel* errorLabel() const { return error_; }
  TryOnStageModel* stageModel() { return &stages_; }
  TryOnImageView* resultView() const { return result_view_; }
  QSlider* splitSlider() const { return split_slider_; }
  QComboBox* categoryBox() const { return category_; }
  QCheckBox* regionsBox() const { return show_regions_; }
  QCheckBox* landmarksBox() const { return show_landmarks_; }
  QListWidget* gallery() const { return gallery_; }

 Q_SIGNALS:
  void requestRun(const tierscope::ui::TryOnJob& job);
  // Emitted when a result (or an error) has been shown.
  void resultShown();

 protected:
  void dragEnterEvent(QDragEnterEvent* event) override;
  void dropEvent(QDropEvent* event) override;

 private:
  // The demo photos, drawn and encoded off the GUI thread once per widget.
  struct DemoSet {
    QByteArray person;
    QByteArray garments[3];
  };
  void applyDemo(int index);
  // Decodes bytes on a pool thread and shows them in `view` (unless newer bytes came).
  void showDecoded(TryOnImageView* view, const QByteArray& bytes, int* generation);
  void showResult(const TryOnView& view);
  void showError(const QString& message);
  void applyOverlayToggles();
  void updateButtons();

  QThread thread_;
  TryOnWorker* worker_;
  TryOnStageModel stages_;
  TryOnView last_;
  QByteArray person_bytes_, garment_bytes_;
  QFuture<DemoSet> demo_set_;
  int pending_demo_ = -1;
  int person_generation_ = 0, garment_generation_ = 0;
  bool busy_ = false;
  bool rerun_ = false;
  int results_shown_ = 0;

  TryOnImageView* person_view_;
  TryOnImageView* garment_view_;
  TryOnImageView* result_view_;
  QLabel* person_name_;
  QLabel* garment_name_;
  QComboBox* demo_;
  QComboBox* category_;
  QComboBox* fill_;
  QCheckBox* show_regions_;
  QCheckBox* show_landmarks_;
  QSlider* split_slider_;
  QPushButton* run_button_;
  QPushButton* save_button_;
  QLabel* verdict_;
  QLabel* details_;
  QLabel* error_;
  QTableView* stage_table_;
  QListWidget* gallery_;
};

}  // namespace tierscope::ui
