// AppSettings: what the `tierscope` command line asks for, parsed and validated, and
// turned into engine and workload options.
#pragma once

#include <QSize>
#include <QString>
#include <QUrl>
#include <QList>
#include <QStringList>
#include <memory>
#include <optional>

#include "tierscope/engine.h"
#include "tierscope/runtime/settings.h"
#include "tierscope/workload/workload.h"

class QCommandLineParser;

namespace tierscope::app {

// The console's tabs by their --tab names, in the window's order.
inline const QStringList kTabNames = {"dashboard", "classification", "tryon", "capacity",
                                      "whatif",    "browser",        "alerts", "logs"};

struct AppSettings {
  bool headless = false;
  double duration_seconds = 0;  // 0 = until closed or interrupted
  QString screenshot_path;      // non-empty: write a PNG of the window, then exit
  QSize window_size;            // invalid = the window's default
  QString log_level = "info";
  EngineOptions engine;
  WorkloadOptions workload;
  bool run_workload = true;
  // Profile, config file and environment (SPEC 1.4): model loading, inference limits.
  Settings settings;
  bool classification = true;  // load the classifier and show its tab
  bool tryon = true;           // set up the try-on pipeline and show its tab
  QString open_tab;            // one of kTabNames
  QString tryon_pair;          // "PERSON,GARMENT" or "demo": try on at start
  QString classify_path;       // an image (or folder) to classify at start
  QString connect_url;         // non-empty: the console over this tierscope-server, no embedded engine
  QList<QUrl> connect_urls;    // connect_url split at commas: several are a fleet
  QString api_key;             // for connect_url (--api-key, or TIERSCOPE_API_KEY)
};

// Declares every option on the parser (help and version included).
void addOptions(QCommandLineParser& parser);

// Reads the parsed options; returns an error message for an invalid value.
std::optional<QString> readSettings(const QCommandLineParser& parser, AppSettings& settings);

// True when argv holds one of these flags; used before any Qt application exists.
bool argvHas(int argc, char** argv, const QStringList& flags);

}  // namespace tierscope::app
