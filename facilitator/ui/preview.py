"""Preview a document with Qt's PDF viewer before it is printed or saved.

The PDF is built in memory and shown from memory: nothing with member data is written to a
temporary file. It is laid out on a thread of its own (a long record takes a second or more),
so the window goes on answering while the preview says it is preparing the document. Print
sends the pages to the system print dialog's printer; Save as writes the same bytes atomically.
Each print and save is recorded in the audit trail by ``on_output``.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QSize, QTimer, Signal
from PySide6.QtGui import QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from facilitator.domain.errors import FacilitatorError
from facilitator.export.files import write_atomically
from facilitator.ui.widgets import message_label

# Called after a document was printed (True) or saved (False), to audit it.
Output = Callable[[bool], None]
# Where a save may go: the path itself, or a FacilitatorError saying why not (never over the
# records; the save dialog has already asked before replacing any other file).
SafePath = Callable[[Path], Path]
# The document's bytes, or how to lay them out (called on the preview thread: no Qt, no
# database there, only the export layer's work on an already assembled document).
Pdf = bytes | Callable[[], bytes]

# One layout at a time: a second preview waits for the first rather than halving both.
_LAYOUT = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pdf-preview")
POLL_MS = 25


def print_pdf(document: QPdfDocument, printer: QPrinter) -> int:
    """Draw every page on the printer at its resolution; returns the pages printed."""
    painter = QPainter()
    if not painter.begin(printer):
        raise OSError("the printer could not be started")
    try:
        dpi = printer.resolution()
        pages = document.pageCount()
        for page in range(pages):
            if page:
                printer.newPage()
            points = document.pagePointSize(page)
            size = QSize(round(points.width() * dpi / 72), round(points.height() * dpi / 72))
            image = document.render(page, size)
            target = painter.viewport()
            scale = min(target.width() / size.width(), target.height() / size.height())
            painter.save()
            painter.scale(scale, scale)
            painter.drawImage(QPointF(0, 0), image)
            painter.restore()
        return pages
    finally:
        painter.end()


class PdfPreview(QDialog):
    """A document on screen, with Print and Save as."""

    ready = Signal()  # the document is shown (or why it could not be made is)

    def __init__(
        self,
        title: str,
        pdf: Pdf,
        suggested_name: str,
        on_output: Output,
        parent: QWidget | None = None,
        safe_path: SafePath = lambda path: path,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.suggested_name = suggested_name
        self._on_output = on_output
        self._safe_path = safe_path
        self._bytes = QByteArray()
        self._buffer: QBuffer | None = None
        self.is_ready = False
        self.document = QPdfDocument(self)
        self.view = QPdfView(self)
        self.view.setAccessibleName(f"{title} preview")
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.pages = QLabel("Preparing the document…", self)
        self.message = message_label(self)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.print_button = QPushButton("&Print…", self)
        self.print_button.setAccessibleName("Print")
        self.save_button = QPushButton("&Save as…", self)
        self.save_button.setAccessibleName("Save as PDF")
        buttons.addButton(self.print_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.button(QDialogButtonBox.StandardButton.Close).setAccessibleName("Close")
        buttons.rejected.connect(self.reject)
        self.print_button.clicked.connect(self.print_dialog)
        self.save_button.clicked.connect(self.save_dialog)
        column = QVBoxLayout(self)
        column.addWidget(self.view, 1)
        column.addWidget(self.pages)
        column.addWidget(self.message)
        column.addWidget(buttons)
        self.resize(900, 700)
        self._lay_out(pdf)

    def _lay_out(self, pdf: Pdf) -> None:
        """Show bytes at once; lay a document out on the preview thread, watching for the
        result from this (the window's) thread: no Qt object is touched from the other one,
        and a preview closed meanwhile simply never looks again."""
        if isinstance(pdf, bytes):
            self._show(pdf)
            return
        self.print_button.setEnabled(False)
        self.save_button.setEnabled(False)
        future = _LAYOUT.submit(pdf)
        watch = QTimer(self)
        watch.setInterval(POLL_MS)
        watch.timeout.connect(lambda: self._collect(future, watch))
        watch.start()

    def _collect(self, future: Future[bytes], watch: QTimer) -> None:
        if not future.done():
            return
        watch.stop()
        error = future.exception()
        if error is None:
            self._show(future.result())
            return
        reason = error.message if isinstance(error, FacilitatorError) else type(error).__name__
        self.pages.setText("")
        self.message.setText(f"The document could not be made ({reason}).")
        self.is_ready = True
        self.ready.emit()

    def _show(self, pdf: bytes) -> None:
        self._bytes = QByteArray(pdf)
        self._buffer = QBuffer(self._bytes, self)
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document.load(self._buffer)
        pages = self.document.pageCount()
        self.pages.setText(f"{pages} page{'s' if pages != 1 else ''}")
        self.print_button.setEnabled(True)
        self.save_button.setEnabled(True)
        self.is_ready = True
        self.ready.emit()

    @property
    def pdf(self) -> bytes:
        """The document's bytes (none until it is ready)."""
        return bytes(self._bytes.data())

    def print_to(self, printer: QPrinter) -> bool:
        try:
            pages = print_pdf(self.document, printer)
        except OSError as exc:
            self.message.setText(f"Not printed: {exc}")
            return False
        self._output(printed=True)
        self.message.setText(f"Sent {pages} page{'s' if pages != 1 else ''} to the printer.")
        return True

    def print_dialog(self) -> None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.print_to(printer)

    def save_to(self, path: Path) -> bool:
        try:
            write_atomically(self._safe_path(path), self.pdf)
        except FacilitatorError as exc:
            self.message.setText(f"Not saved: {exc.message}")
            return False
        except OSError as exc:
            self.message.setText(f"Not saved: cannot write {path} ({exc.strerror or exc})")
            return False
        self._output(printed=False)
        self.message.setText(f"Saved to {path}")
        return True

    def save_dialog(self) -> None:
        name, _filter = QFileDialog.getSaveFileName(
            self, "Save as PDF", self.suggested_name, "PDF documents (*.pdf)"
        )
        if name:
            self.save_to(Path(name))

    def _output(self, printed: bool) -> None:
        try:
            self._on_output(printed)
        except FacilitatorError as exc:
            self.message.setText(exc.message)
