// A table body kept in step with a list of items by key: rows are inserted, moved and removed one at a time, and a
// changed item has only its changed cells replaced, so a row keeps its element (and the reader's place) across updates.

export class KeyedRows {
  /**
   * `rowKey(item)`: the row's identity (sequence, task id); `data(item)`: its data- attributes, set once;
   * `columns`: one `{ key(item), cell(item) }` per cell, where `key` says what the cell shows, as a string,
   * and `cell` builds its <td> when that changes.
   */
  constructor(table, { rowKey, data, columns }) {
    this.body = table.tBodies[0];
    this.empty = document.querySelector(`[data-empty-for="${table.id}"]`);
    this.rowKey = rowKey;
    this.data = data;
    this.columns = columns;
    /** key -> { tr, item, keys: the cells' keys, cells } */
    this.rows = new Map();
  }

  /** Shows `items` in this order. `refresh`: look at every row's cells again (times move on), not only changed items'. */
  show(items, { refresh = false } = {}) {
    const wanted = new Map();
    for (const item of items) wanted.set(String(this.rowKey(item)), item);
    for (const [key, row] of this.rows) {
      if (wanted.has(key)) continue;
      row.tr.remove();
      this.rows.delete(key);
    }
    let cursor = this.body.firstElementChild;
    for (const [key, item] of wanted) {
      let row = this.rows.get(key);
      if (row === undefined) {
        row = this.create(item);
        this.rows.set(key, row);
      } else if (refresh || row.item !== item) {
        this.update(row, item);
      }
      if (row.tr === cursor) cursor = cursor.nextElementSibling;
      else this.body.insertBefore(row.tr, cursor);
    }
    this.empty.hidden = wanted.size > 0;
  }

  create(item) {
    const tr = document.createElement('tr');
    for (const [name, value] of Object.entries(this.data(item))) tr.dataset[name] = value;
    const row = { tr, item, keys: this.columns.map((column) => column.key(item)), cells: this.columns.map((column) => column.cell(item)) };
    tr.append(...row.cells);
    return row;
  }

  update(row, item) {
    row.item = item;
    this.columns.forEach((column, i) => {
      const key = column.key(item);
      if (key === row.keys[i]) return;
      const cell = column.cell(item);
      row.cells[i].replaceWith(cell);
      row.cells[i] = cell;
      row.keys[i] = key;
    });
  }
}
