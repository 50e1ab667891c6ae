using System.Net;
using System.Net.Sockets;

namespace Reference.EndToEnd.Tests.Harness;

/// <summary>Ports on 127.0.0.1 that the kernel says are free, so that tests never collide with each other or with anything else.</summary>
public static class FreePorts
{
    /// <summary>
    /// Distinct free ports: each is bound to port 0 and the kernel's choice read back; all are held until
    /// every one is chosen, so the kernel cannot hand out the same one twice.
    /// </summary>
    public static IReadOnlyList<int> Take(int count)
    {
        var listeners = new List<TcpListener>();
        try
        {
            for (int i = 0; i < count; i++)
            {
                var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                listeners.Add(listener);
            }
            return listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToList();
        }
        finally
        {
            foreach (TcpListener listener in listeners) listener.Stop();
        }
    }
}
