// How the console's read-mostly tables look: whole rows selected, one at a time, no row
// numbers, columns sized to their contents with one stretching to fill the width.
#pragma once

#include <QHeaderView>
#include <QTableView>

namespace tierscope::ui {

inline void setUpRowTable(QTableView* table, int stretch_column) {
  table->setSelectionBehavior(QAbstractItemView::SelectRows);
  table->setSelectionMode(QAbstractItemView::SingleSelection);
  table->verticalHeader()->hide();
  table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  table->horizontalHeader()->setSectionResizeMode(stretch_column, QHeaderView::Stretch);
}

}  // namespace tierscope::ui
