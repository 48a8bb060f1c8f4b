// Small formatting helpers shared by the console's widgets.
#pragma once

#include <QLocale>
#include <QString>

namespace tierscope::ui {

// "64.0 MiB" (IEC units, one decimal).
inline QString humanBytes(double bytes) {
  return QLocale().formattedDataSize(static_cast<qint64>(bytes), 1, QLocale::DataSizeIecFormat);
}

// "1 h 02 min", "3 min 05 s", "12 s"; "—" for a negative or unknown span.
inline QString humanSeconds(double seconds) {
  if (!(seconds >= 0)) return QStringLiteral("—");
  const qint64 s = static_cast<qint64>(seconds);
  if (s >= 86400) return QStringLiteral("%1 d %2 h").arg(s / 86400).arg((s % 86400) / 3600, 2, 10, QLatin1Char('0'));
  if (s >= 3600) return QStringLiteral("%1 h %2 min").arg(s / 3600).arg((s % 3600) / 60, 2, 10, QLatin1Char('0'));
  if (s >= 60) return QStringLiteral("%1 min %2 s").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
  return QStringLiteral("%1 s").arg(s);
}

}  // namespace tierscope::ui
