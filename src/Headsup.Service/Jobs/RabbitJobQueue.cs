using System.Text;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Headsup.Service.Jobs;

/// <summary>
/// The scale-out queue on RabbitMQ: a durable quorum queue "headsup.jobs" (persistent messages, publisher confirms),
/// consumers with manual acknowledgement and a prefetch of one, a delivery limit after which a message goes to the
/// dead-letter queue "headsup.jobs.dead", and automatic connection and topology recovery when the broker restarts.
/// </summary>
public sealed class RabbitJobQueue(string uri, int deliveryLimit, ILogger<RabbitJobQueue> log) : IJobQueue
{
    /// <summary>The work queue.</summary>
    public const string QueueName = "headsup.jobs";

    /// <summary>The dead-letter queue.</summary>
    public const string DeadLetterQueue = "headsup.jobs.dead";

    private const string DeadLetterExchange = "headsup.jobs.dlx";
    private readonly SemaphoreSlim _publishLock = new(1, 1);
    private IConnection? _connection;
    private IChannel? _publisher;

    /// <inheritdoc/>
    public string Description => "rabbitmq";

    /// <inheritdoc/>
    public bool Healthy => _connection is { IsOpen: true };

    /// <inheritdoc/>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var factory = new ConnectionFactory
        {
            Uri = new Uri(uri),
            AutomaticRecoveryEnabled = true,
            TopologyRecoveryEnabled = true,
            NetworkRecoveryInterval = TimeSpan.FromSeconds(2),
            ClientProvidedName = $"headsup:{Environment.MachineName}:{Environment.ProcessId}",
        };
        var connecting = System.Diagnostics.Stopwatch.StartNew(); // monotonic: a wall-clock step cannot cut the retry short
        while (true)
        {
            try
            {
                _connection = await factory.CreateConnectionAsync(cancellationToken).ConfigureAwait(false);
                break;
            }
            catch (RabbitMQ.Client.Exceptions.BrokerUnreachableException ex) when (connecting.Elapsed < TimeSpan.FromSeconds(60))
            {
                log.LogWarning("queue: broker unreachable, retrying: {Error}", ex.GetBaseException().Message);
                await Task.Delay(2000, cancellationToken).ConfigureAwait(false);
            }
        }

        await using (var setup = await _connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            await setup.ExchangeDeclareAsync(DeadLetterExchange, ExchangeType.Fanout, durable: true, cancellationToken: cancellationToken).ConfigureAwait(false);
            await setup.QueueDeclareAsync(DeadLetterQueue, durable: true, exclusive: false, autoDelete: false,
                arguments: new Dictionary<string, object?> { ["x-queue-type"] = "quorum" }, cancellationToken: cancellationToken).ConfigureAwait(false);
            await setup.QueueBindAsync(DeadLetterQueue, DeadLetterExchange, string.Empty, cancellationToken: cancellationToken).ConfigureAwait(false);
            await setup.QueueDeclareAsync(QueueName, durable: true, exclusive: false, autoDelete: false, arguments: new Dictionary<string, object?>
            {
                ["x-queue-type"] = "quorum",
                ["x-delivery-limit"] = deliveryLimit,
                ["x-dead-letter-exchange"] = DeadLetterExchange,
            }, cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        _publisher = await _connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task PublishAsync(IReadOnlyList<string> jobIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobIds);
        var channel = _publisher ?? throw new InvalidOperationException("the queue is not started");
        await _publishLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            foreach (var id in jobIds)
            {
                var properties = new BasicProperties { Persistent = true, MessageId = id, ContentType = "text/plain" };

                // Returns when the broker confirmed the message (publisher confirms), throws when it refused it.
                await channel.BasicPublishAsync(string.Empty, QueueName, mandatory: true, properties, Encoding.UTF8.GetBytes(id), cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _publishLock.Release();
        }
    }

    /// <inheritdoc/>
    public async Task ConsumeAsync(Func<string, CancellationToken, Task> handle, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handle);
        var connection = _connection ?? throw new InvalidOperationException("the queue is not started");
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        await channel.BasicQosAsync(0, 1, false, cancellationToken).ConfigureAwait(false);
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += async (_, delivery) =>
        {
            var id = Encoding.UTF8.GetString(delivery.Body.Span);
            try
            {
                await handle(id, cancellationToken).ConfigureAwait(false);
                await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                log.LogWarning("queue: job message not handled, returned to the queue: {Error}", ex.Message);
                try
                {
                    await channel.BasicNackAsync(delivery.DeliveryTag, multiple: false, requeue: true, CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception nackError) when (nackError is not OutOfMemoryException)
                {
                    // The channel is gone: the broker redelivers the unacknowledged message anyway.
                    log.LogWarning("queue: nack failed: {Error}", nackError.Message);
                }
            }
        };
        await channel.BasicConsumeAsync(QueueName, autoAck: false, consumer, cancellationToken).ConfigureAwait(false);
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // stopping: unacknowledged messages go back to the queue when the channel closes
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (_publisher is not null)
        {
            await _publisher.DisposeAsync().ConfigureAwait(false);
        }

        if (_connection is not null)
        {
            await _connection.DisposeAsync().ConfigureAwait(false);
        }

        _publishLock.Dispose();
    }
}
