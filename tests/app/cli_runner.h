#pragma once
// Runs the built embedscope-cli and splits its answer: exit code, stdout, stderr and the JSON
// object of the last stdout line (the --json convention). Shared by the tests of tests/app/.
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStringList>

struct CliResult {
    int exitCode = -1;
    QString out;
    QString err;
    QJsonObject json; ///< parsed last stdout line, when it is a JSON object
};

inline CliResult runCli(const QStringList& args, int timeoutMs = 300000) {
    QProcess p;
    p.start(QStringLiteral(EMBEDSCOPE_CLI_PATH), args);
    if (!p.waitForFinished(timeoutMs))
        qFatal("embedscope-cli %s timed out", qPrintable(args.join(' ')));
    CliResult r;
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err = QString::fromUtf8(p.readAllStandardError());
    const QStringList lines = r.out.trimmed().split('\n');
    if (!lines.isEmpty())
        r.json = QJsonDocument::fromJson(lines.back().toUtf8()).object();
    return r;
}
