namespace UserData.Runtime.Grains;

/// <summary>Hands out references to grains; the activation is created by the first call.</summary>
public interface IGrainFactory
{
    TGrainInterface GetGrain<TGrainInterface>(string key)
        where TGrainInterface : class, IGrain;
}
