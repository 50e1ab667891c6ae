using Reference.Core.Controller;
using Reference.Core.Node;
using Reference.Protocol;
using Reference.Protocol.Messages;

namespace Reference.Core.Tests.Controller;

public sealed class BrokerLifecycleTests
{
    private sealed class Locator : IControllerLocator
    {
        public int? ActiveControllerId { get; set; } = 1;
    }

    private sealed class Sender : IPeerSender
    {
        public List<(int To, int CorrelationId, short Version, IRequestBody Body)> Sent { get; } = [];

        public int Send(int toNodeId, short apiVersion, IRequestBody body, Effects effects)
        {
            int correlationId = Sent.Count + 100;
            Sent.Add((toNodeId, correlationId, apiVersion, body));
            return correlationId;
        }

        public (int To, int CorrelationId, short Version, IRequestBody Body) Last => Sent[^1];
    }

    private readonly NodeConfig _config = ControllerHarness.DefaultConfig() with { NodeId = 3 };
    private readonly Locator _locator = new();
    private readonly Sender _sender = new();
    private readonly Effects _effects = new();
    private readonly BrokerLifecycle _lifecycle;

    public BrokerLifecycleTests() => _lifecycle = new BrokerLifecycle(_config, _locator, _sender, new SplitMix64Random(9));

    private void Answer(IResponseBody body, long nowMs) => Assert.True(_lifecycle.HandleResponse(_sender.Last.CorrelationId, body, nowMs, _effects));

    [Fact]
    public void ItRegistersThenHeartbeatsThenRunsOnceTheControllerUnfencesIt()
    {
        _lifecycle.Tick(0, _effects);
        var registration = Assert.IsType<BrokerRegistrationRequest>(_sender.Last.Body);
        Assert.Equal((1, 3, ControllerHarness.ClusterId), (_sender.Last.To, registration.BrokerId, registration.ClusterId));
        Assert.Equal(_lifecycle.IncarnationId, registration.IncarnationId);
        Assert.Equal("PLAINTEXT://localhost:9092", $"{registration.Listeners[0].Name}://{registration.Listeners[0].Host}:{registration.Listeners[0].Port}");
        _lifecycle.Tick(10, _effects);
        Assert.Single(_sender.Sent);

        Answer(new BrokerRegistrationResponse { BrokerEpoch = 17 }, 20);
        Assert.Equal((BrokerLifecycleState.Fenced, 17L), (_lifecycle.State, _lifecycle.BrokerEpoch));
        _lifecycle.OnMetadataApplied(42);
        var heartbeat = Assert.IsType<BrokerHeartbeatRequest>(_sender.Last.Body);
        Assert.Equal((17L, -1L, false), (heartbeat.BrokerEpoch, heartbeat.CurrentMetadataOffset, heartbeat.WantShutDown));

        Answer(new BrokerHeartbeatResponse { IsFenced = true }, 30);
        Assert.Equal(BrokerLifecycleState.Fenced, _lifecycle.State);
        Assert.Equal(30 + _config.BrokerHeartbeatIntervalMs, _lifecycle.NextDeadlineMs);
        _lifecycle.Tick(30 + _config.BrokerHeartbeatIntervalMs, _effects);
        Assert.Equal(42, Assert.IsType<BrokerHeartbeatRequest>(_sender.Last.Body).CurrentMetadataOffset);

        Answer(new BrokerHeartbeatResponse { IsFenced = false, IsCaughtUp = true }, 2100);
        Assert.Equal(BrokerLifecycleState.Running, _lifecycle.State);
    }

    [Fact]
    public void FailuresAreRetriedWithABoundedExponentialBackoff()
    {
        _locator.ActiveControllerId = null;
        long now = 0;
        var delays = new List<long>();
        for (int i = 0; i < 12; i++)
        {
            _lifecycle.Tick(now, _effects);
            delays.Add(_lifecycle.NextDeadlineMs - now);
            now = _lifecycle.NextDeadlineMs;
        }

        Assert.Empty(_sender.Sent);
        Assert.Equal([100, 200, 400, 800, 1600, 3200, 4500, 4500], delays.Take(8));
        Assert.Equal(ErrorCode.NotController, _lifecycle.LastError);

        _locator.ActiveControllerId = 1;
        _lifecycle.Tick(now, _effects);
        Assert.True(_lifecycle.HandleRequestFailed(_sender.Last.CorrelationId, now, _effects));
        Assert.Equal(now + 4500, _lifecycle.NextDeadlineMs);
        _lifecycle.Tick(now + 4500, _effects);
        Answer(new BrokerRegistrationResponse { BrokerEpoch = 1 }, now + 4500);
        Answer(new BrokerHeartbeatResponse { ErrorCode = (short)ErrorCode.NotController }, now + 4500);
        Assert.Equal(now + 4500 + 100, _lifecycle.NextDeadlineMs);
    }

    [Fact]
    public void AnAnswerThatNeverComesIsGivenUpAfterHalfASession()
    {
        _lifecycle.Tick(0, _effects);
        int first = _sender.Last.CorrelationId;
        Assert.Equal(_config.BrokerSessionTimeoutMs / 2, _lifecycle.NextDeadlineMs);

        _lifecycle.Tick(_config.BrokerSessionTimeoutMs / 2, _effects);
        _lifecycle.Tick(_config.BrokerSessionTimeoutMs / 2 + 100, _effects);

        Assert.Equal(2, _sender.Sent.Count);
        Assert.False(_lifecycle.HandleResponse(first, new BrokerRegistrationResponse { BrokerEpoch = 5 }, 5000, _effects));
        Assert.Equal(-1, _lifecycle.BrokerEpoch);
    }

    [Fact]
    public void AStaleEpochSendsTheBrokerBackToRegistering()
    {
        _lifecycle.Tick(0, _effects);
        Answer(new BrokerRegistrationResponse { BrokerEpoch = 4 }, 0);

        Answer(new BrokerHeartbeatResponse { ErrorCode = (short)ErrorCode.StaleBrokerEpoch }, 10);

        Assert.Equal((BrokerLifecycleState.Registering, -1L), (_lifecycle.State, _lifecycle.BrokerEpoch));
        Assert.IsType<BrokerRegistrationRequest>(_sender.Last.Body);
    }

    [Fact]
    public void AControllerOfAnotherClusterStopsTheLifecycle()
    {
        _lifecycle.Tick(0, _effects);
        Answer(new BrokerRegistrationResponse { ErrorCode = (short)ErrorCode.InconsistentClusterId }, 0);
        _lifecycle.Tick(100_000, _effects);

        Assert.Equal(BrokerLifecycleState.Failed, _lifecycle.State);
        Assert.Single(_sender.Sent);
        Assert.Equal(long.MaxValue, _lifecycle.NextDeadlineMs);
    }

    [Fact]
    public void AControlledShutdownAsksToShutDownUntilTheControllerAgrees()
    {
        _lifecycle.Tick(0, _effects);
        Answer(new BrokerRegistrationResponse { BrokerEpoch = 4 }, 0);
        Answer(new BrokerHeartbeatResponse { IsFenced = false }, 0);

        _lifecycle.BeginControlledShutdown(50, _effects);
        Assert.Equal(BrokerLifecycleState.ShuttingDown, _lifecycle.State);
        _lifecycle.Tick(_config.BrokerHeartbeatIntervalMs, _effects);
        Assert.True(Assert.IsType<BrokerHeartbeatRequest>(_sender.Last.Body).WantShutDown);
        Answer(new BrokerHeartbeatResponse { IsFenced = false, ShouldShutDown = false }, 2000);
        Assert.Equal(BrokerLifecycleState.ShuttingDown, _lifecycle.State);
        _lifecycle.Tick(4000, _effects);
        Answer(new BrokerHeartbeatResponse { IsFenced = true, ShouldShutDown = true }, 4000);

        Assert.Equal(BrokerLifecycleState.ShutDown, _lifecycle.State);
        int sent = _sender.Sent.Count;
        _lifecycle.Tick(100_000, _effects);
        Assert.Equal(sent, _sender.Sent.Count);
    }

    [Fact]
    public void AgainstARealControllerTheBrokerRegistersAndIsUnfenced()
    {
        var controller = new ControllerHarness(ControllerHarness.DefaultConfig());
        var lifecycle = new BrokerLifecycle(controller.Config, _locator, _sender, new SplitMix64Random(1));
        long now = controller.NowMs;
        for (int step = 0; step < 20 && lifecycle.State != BrokerLifecycleState.Running; step++)
        {
            lifecycle.Tick(now, _effects);
            if (_sender.Sent.Count > 0 && !controller.Answers.ContainsKey(_sender.Last.CorrelationId)) Deliver(controller, _sender.Last);
            controller.CommitAll();
            lifecycle.OnMetadataApplied(controller.Committed.Offset);
            if (controller.Answers.TryGetValue(_sender.Last.CorrelationId, out IResponseBody? answer)) lifecycle.HandleResponse(_sender.Last.CorrelationId, answer, now, _effects);
            now = Math.Max(now + 1, lifecycle.NextDeadlineMs);
            controller.NowMs = now;
        }

        Assert.Equal(BrokerLifecycleState.Running, lifecycle.State);
        Assert.False(controller.Committed.Broker(controller.Config.NodeId)!.Fenced);
        Assert.Equal(lifecycle.BrokerEpoch, controller.Committed.Broker(controller.Config.NodeId)!.Epoch);
    }

    /// <summary>What the node does for a request to its own controller: hand it over in process, with the correlation id it assigned.</summary>
    private static void Deliver(ControllerHarness controller, (int To, int CorrelationId, short Version, IRequestBody Body) request)
    {
        var context = new RequestContext(new ConnectionId(0), ListenerKind.Controller, request.CorrelationId, request.Version, "broker", "localhost", controller.NowMs);
        switch (request.Body)
        {
            case BrokerRegistrationRequest registration: controller.Controller.HandleBrokerRegistration(context, registration, controller.NowMs, controller.Effects); break;
            case BrokerHeartbeatRequest heartbeat: controller.Controller.HandleBrokerHeartbeat(context, heartbeat, controller.NowMs, controller.Effects); break;
        }
    }
}
