using System.Globalization;
using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.EventSourcing;
using Orleans.Runtime;
using Orleans.Serialization;

namespace UserData.Providers.Journal;

/// <summary>
/// The runtime services Orleans hands every log view adaptor. Orleans registers its own only from its built-in
/// log-consistency providers' registrations (the method is internal), so a provider registered on its own brings one:
/// added only when none is registered, it behaves as Orleans' does (copies with the grain's serializer, logs by grain).
/// </summary>
internal sealed partial class EventJournalProtocolServices(
    IGrainContext grainContext, ILoggerFactory loggerFactory, DeepCopier deepCopier, ILocalSiloDetails siloDetails)
    : ILogConsistencyProtocolServices
{
    private readonly ILogger _logger = loggerFactory.CreateLogger<EventJournalProtocolServices>();

    public GrainId GrainId => grainContext.GrainId;

    public string MyClusterId => siloDetails.ClusterId;

    public T DeepCopy<T>(T value) => deepCopier.Copy(value)!;

    public void ProtocolError(string msg, bool throwexception)
    {
        LogProtocolError(_logger, GrainId, msg);
        if (throwexception)
        {
            throw new OrleansException($"{msg} (grain {GrainId}, cluster {MyClusterId})");
        }
    }

    public void CaughtException(string where, Exception e) => LogCaughtException(_logger, e, GrainId, where);

    public void CaughtUserCodeException(string callback, string where, Exception e) => LogCaughtUserCodeException(_logger, e, GrainId, callback, where);

    public void Log(LogLevel level, string format, params object[] args)
    {
        if (_logger.IsEnabled(level))
        {
            LogProtocol(_logger, level, GrainId, string.Format(CultureInfo.InvariantCulture, format, args));
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{GrainId} log-consistency protocol error: {Message}")]
    private static partial void LogProtocolError(ILogger logger, GrainId grainId, string message);

    [LoggerMessage(Level = LogLevel.Error, Message = "{GrainId} exception caught at {Location}")]
    private static partial void LogCaughtException(ILogger logger, Exception exception, GrainId grainId, string location);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{GrainId} exception in grain code {Callback}, called from {Location}")]
    private static partial void LogCaughtUserCodeException(ILogger logger, Exception exception, GrainId grainId, string callback, string location);

    [LoggerMessage(Message = "{GrainId} {Message}")]
    private static partial void LogProtocol(ILogger logger, LogLevel level, GrainId grainId, string message);
}
